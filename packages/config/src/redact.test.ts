import { describe, expect, it } from 'vitest';
import { redact, redactUrl, registerSecret } from './redact.js';

describe('redactUrl', () => {
  it('hides URL passwords and keeps the rest', () => {
    expect(redactUrl('redis://user:pa55@host:6379/1')).toBe('redis://user:***@host:6379/1');
    expect(redactUrl('rediss://:p%40ss@host')).toBe('rediss://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl('connect to redis://a:b@h1 and https://c:d@h2/x')).toBe(
      'connect to redis://a:***@h1 and https://c:***@h2/x',
    );
  });
});

describe('redact', () => {
  const env = {
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN+/=',
    REDIS_URL: 'redis://default:s3cr3t-pw@cache:6379',
  };

  it('hides known secrets from the environment wherever they appear', () => {
    const text = `key ${env.AWS_SECRET_ACCESS_KEY} token=${env.AWS_SESSION_TOKEN} pw s3cr3t-pw, enc ${encodeURIComponent(env.AWS_SESSION_TOKEN)}`;
    const out = redact(text, env);
    expect(out).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    expect(out).not.toContain(env.AWS_SESSION_TOKEN);
    expect(out).not.toContain(encodeURIComponent(env.AWS_SESSION_TOKEN));
    expect(out).not.toContain('s3cr3t-pw');
    expect(out).toContain('key ***');
  });

  it('hides secret-looking key=value pairs', () => {
    expect(redact('password=abc123 user=bob', {})).toBe('password=*** user=bob');
    expect(redact('{"secretAccessKey":"zzz","region":"x"}', {})).toBe(
      '{"secretAccessKey":"***","region":"x"}',
    );
  });

  it('hides registered secrets and leaves ordinary text alone', () => {
    registerSecret('from-a-file-0042');
    expect(redact('got from-a-file-0042 ok', {})).toBe('got *** ok');
    expect(redact('compressed 12 images to s3://bucket/out/', {})).toBe(
      'compressed 12 images to s3://bucket/out/',
    );
  });
});
