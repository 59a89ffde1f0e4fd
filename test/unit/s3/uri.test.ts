import { describe, expect, it } from 'vitest';
import { formatS3Uri, parseS3Uri } from '../../../electron/engine/locate/s3/uri';
import { LoupeError } from '../../../shared/errors';

describe('parseS3Uri', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Uri('s3://my-trail-logs/AWSLogs/123456789012/')).toEqual({
      bucket: 'my-trail-logs',
      prefix: 'AWSLogs/123456789012/',
    });
    expect(parseS3Uri('s3://my-trail-logs')).toEqual({ bucket: 'my-trail-logs', prefix: '' });
    expect(parseS3Uri('s3://my-trail-logs/')).toEqual({ bucket: 'my-trail-logs', prefix: '' });
    expect(parseS3Uri('  S3://logs.example.com/a b/%41  ')).toEqual({ bucket: 'logs.example.com', prefix: 'a b/%41' });
  });

  it.each([
    ['/tmp/logs'],
    ['https://bucket.s3.amazonaws.com/key'],
    ['s3://'],
    ['s3://ab/'],
    ['s3://-bucket/'],
    ['s3://bucket..name/'],
    ['s3://bucket name/'],
  ])('refuses %s with INVALID_INPUT', (uri) => {
    let error: unknown;
    try {
      parseS3Uri(uri);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).code).toBe('INVALID_INPUT');
    expect((error as LoupeError).hint).toBeTruthy();
  });

  it('formats URIs back', () => {
    expect(formatS3Uri('b-1', 'AWSLogs/x.json.gz')).toBe('s3://b-1/AWSLogs/x.json.gz');
  });
});
