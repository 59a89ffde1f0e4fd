import { DuckDBInstance } from '@duckdb/node-api';
import { benchCase } from './dataset';
import { EVENT_TABLES } from '../../electron/engine/db/schema-events';
const c = await benchCase();
const ct = c.files.cloudtrail.filter((_, i) => i % 8 === 0);
const paths = `from_json('${JSON.stringify(ct)}', '["VARCHAR"]')`;
const RJ = `read_json(${paths}, columns = {Records: 'JSON[]'}, format = 'newline_delimited', maximum_object_size = 536870912, filename = true, compression = 'gzip')`;
const inst = await DuckDBInstance.create(':memory:', { threads: '2', preserve_insertion_order: 'false' });
const conn = await inst.connect();
for (const s of EVENT_TABLES) await conn.run(s);
await conn.run(`CREATE TABLE st AS SELECT 1 AS file_id, (pos-1)::INTEGER AS position, rec, false AS bad FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`);
const RS = JSON.stringify({eventVersion:'VARCHAR',eventTime:'VARCHAR',eventSource:'VARCHAR',eventName:'VARCHAR',eventType:'VARCHAR',eventCategory:'VARCHAR',awsRegion:'VARCHAR',sourceIPAddress:'VARCHAR',userAgent:'VARCHAR',errorCode:'VARCHAR',errorMessage:'VARCHAR',readOnly:'VARCHAR',managementEvent:'VARCHAR',recipientAccountId:'VARCHAR',requestID:'VARCHAR',eventID:'VARCHAR',sharedEventID:'VARCHAR',vpcEndpointId:'VARCHAR',userIdentity:'JSON',requestParameters:'JSON',responseElements:'JSON',additionalEventData:'JSON',resources:'JSON',tlsDetails:'JSON',serviceEventDetails:'JSON'});
const RSV = JSON.stringify({eventVersion:'VARCHAR',eventTime:'VARCHAR',eventSource:'VARCHAR',eventName:'VARCHAR',eventType:'VARCHAR',eventCategory:'VARCHAR',awsRegion:'VARCHAR',sourceIPAddress:'VARCHAR',userAgent:'VARCHAR',errorCode:'VARCHAR',errorMessage:'VARCHAR',readOnly:'VARCHAR',managementEvent:'VARCHAR',recipientAccountId:'VARCHAR',requestID:'VARCHAR',eventID:'VARCHAR',sharedEventID:'VARCHAR',vpcEndpointId:'VARCHAR'});
const IS = JSON.stringify({type:'VARCHAR',principalId:'VARCHAR',arn:'VARCHAR',accountId:'VARCHAR',accessKeyId:'VARCHAR',userName:'VARCHAR',invokedBy:'VARCHAR',sessionContext:{sessionIssuer:{type:'VARCHAR',arn:'VARCHAR',userName:'VARCHAR'},attributes:{creationDate:'VARCHAR',mfaAuthenticated:'VARCHAR'},ec2RoleDelivery:'VARCHAR'}});
const RSU = RS.replace('"userIdentity":"JSON"', `"userIdentity":${IS}`);
const tests: Record<string, string> = {
  copyRec: `SELECT rec FROM st`,
  trFull: `SELECT json_transform(rec, '${RS}') AS r FROM st`,
  trVarcharOnly: `SELECT json_transform(rec, '${RSV}') AS r FROM st`,
  trNestedUid: `SELECT json_transform(rec, '${RSU}') AS r FROM st`,
  trTwo: `SELECT r, json_transform(r.userIdentity, '${IS}') AS u FROM (SELECT json_transform(rec, '${RS}') AS r FROM st)`,
  extract18: `SELECT json_extract_string(rec, ['eventVersion','eventTime','eventSource','eventName','eventType','eventCategory','awsRegion','sourceIPAddress','userAgent','errorCode','errorMessage','readOnly','managementEvent','recipientAccountId','requestID','eventID','sharedEventID','vpcEndpointId']) AS l FROM st`,
  extractJson7: `SELECT json_extract(rec, ['userIdentity','requestParameters','responseElements','additionalEventData','resources','tlsDetails','serviceEventDetails']) AS l FROM st`,
};
const names = Object.keys(tests);
for (let round = 0; round < 2; round++) for (const n of names) {
  const t = performance.now(); const c0 = process.cpuUsage();
  await conn.run(`CREATE OR REPLACE TEMP TABLE o AS ${tests[n]}`);
  const cu = process.cpuUsage(c0);
  console.log(n.padEnd(16), 'cpu', ((cu.user + cu.system) / 1e6).toFixed(2), 'wall', ((performance.now() - t) / 1000).toFixed(2));
}
