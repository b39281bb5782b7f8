import { createHmac } from 'node:crypto';

/** Header names NCP's API Gateway reads for a v2 signature. */
export const NCP_HEADERS = {
  timestamp: 'x-ncp-apigw-timestamp',
  accessKey: 'x-ncp-iam-access-key',
  signature: 'x-ncp-apigw-signature-v2',
} as const;

export interface SignInput {
  readonly method: string;
  /** Path and query exactly as sent (`/api/v1/project/1/history?pageNo=1`). */
  readonly pathWithQuery: string;
  /** Milliseconds since the epoch; taken as an argument so signing stays pure. */
  readonly timestampMs: number;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** The string NCP signs: method and path on one line, then the timestamp, then the access key. */
export function stringToSign(input: Omit<SignInput, 'secretKey'>): string {
  return `${input.method.toUpperCase()} ${input.pathWithQuery}\n${input.timestampMs}\n${input.accessKey}`;
}

/** HMAC-SHA256 of `stringToSign` with the secret key, Base64. The query string is part of what is signed. */
export function signature(input: SignInput): string {
  return createHmac('sha256', input.secretKey).update(stringToSign(input), 'utf8').digest('base64');
}

/** The three headers a signed NCP request carries. */
export function signedHeaders(input: SignInput): Record<string, string> {
  return {
    [NCP_HEADERS.timestamp]: String(input.timestampMs),
    [NCP_HEADERS.accessKey]: input.accessKey,
    [NCP_HEADERS.signature]: signature(input),
  };
}
