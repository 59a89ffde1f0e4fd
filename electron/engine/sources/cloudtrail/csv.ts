import { normalizeColumn } from '../detect';

/**
 * CloudTrail CSV exports (the console's event history download, CloudTrail Lake query results)
 * to record JSON. If a column holds the whole event ("CloudTrail event", Lake's eventJson) that
 * is the record; otherwise a record is assembled from the columns we recognise, by position.
 * Columns are addressed as c0..cN (names we generate), never by the file's own header text.
 */
const SCALAR: Record<string, string> = {
  eventid: 'eventID',
  eventtime: 'eventTime',
  eventname: 'eventName',
  eventsource: 'eventSource',
  eventversion: 'eventVersion',
  eventtype: 'eventType',
  eventcategory: 'eventCategory',
  awsregion: 'awsRegion',
  region: 'awsRegion',
  sourceipaddress: 'sourceIPAddress',
  sourceip: 'sourceIPAddress',
  useragent: 'userAgent',
  errorcode: 'errorCode',
  errormessage: 'errorMessage',
  readonly: 'readOnly',
  requestid: 'requestID',
  recipientaccountid: 'recipientAccountId',
  managementevent: 'managementEvent',
  vpcendpointid: 'vpcEndpointId',
  sharedeventid: 'sharedEventID',
};
const NESTED_JSON: Record<string, string> = {
  useridentity: 'userIdentity',
  requestparameters: 'requestParameters',
  responseelements: 'responseElements',
  additionaleventdata: 'additionalEventData',
  resources: 'resources',
  tlsdetails: 'tlsDetails',
  serviceeventdetails: 'serviceEventDetails',
};
const IDENTITY: Record<string, string> = {
  username: 'userName',
  awsaccesskey: 'accessKeyId',
  accesskeyid: 'accessKeyId',
  useridentityarn: 'arn',
  useridentitytype: 'type',
  useridentityaccountid: 'accountId',
  useridentityprincipalid: 'principalId',
};
const WHOLE_EVENT = new Set(['cloudtrailevent', 'eventjson']);

/** The SQL expression (over columns c0..cN) that yields the record JSON of one CSV row. */
export function csvRecordExpr(columns: string[]): string {
  const norm = columns.map(normalizeColumn);
  const col = (i: number) => `c${i}`;
  const whole = norm.findIndex((n) => WHOLE_EVENT.has(n));
  const fields: string[] = [];
  const identity: string[] = [];
  norm.forEach((n, i) => {
    const scalar = SCALAR[n];
    const nested = NESTED_JSON[n];
    const id = IDENTITY[n];
    if (scalar) fields.push(`'${scalar}', nullif(${col(i)}, '')`);
    else if (nested && nested !== 'userIdentity')
      fields.push(`'${nested}', coalesce(TRY_CAST(${col(i)} AS JSON), to_json(nullif(${col(i)}, '')))`);
    else if (id) identity.push(`'${id}', nullif(${col(i)}, '')`);
  });
  const identityCol = norm.indexOf('useridentity');
  const identityExpr =
    identityCol >= 0
      ? `coalesce(TRY_CAST(${col(identityCol)} AS JSON)${identity.length ? `, json_object(${identity.join(', ')})` : ''})`
      : identity.length
        ? `json_object(${identity.join(', ')})`
        : 'NULL';
  fields.push(`'userIdentity', ${identityExpr}`);
  const assembled = `json_object(${fields.join(', ')})`;
  return whole >= 0 ? `coalesce(TRY_CAST(${col(whole)} AS JSON), ${assembled})` : assembled;
}
