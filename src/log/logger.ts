import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear, so a secret never reaches a log line. */
export const redactPaths = [
  'token',
  'botToken',
  'appToken',
  'apiKey',
  'accessKey',
  'secretKey',
  'signingSecret',
  'password',
  'authorization',
  'Authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.apiKey',
  '*.accessKey',
  '*.secretKey',
  '*.signingSecret',
  '*.password',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers["x-ncp-iam-access-key"]',
  'headers["x-ncp-apigw-signature-v2"]',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-ncp-iam-access-key"]',
  '*.headers["x-ncp-apigw-signature-v2"]',
  '*.headers["x-slack-signature"]',
  'config.ncp.secretKey',
  'config.ncp.accessKey',
  'config.slack.botToken',
  'config.slack.appToken',
  'config.slack.signingSecret',
  'config.llm.apiKey',
];

export interface LoggerOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go; the console chat sends them to stderr so they never mix with the conversation. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const dest = opts.destination ?? process.stderr;
  const pretty =
    opts.format === 'pretty' || (opts.format === 'auto' && (dest as { isTTY?: boolean }).isTTY === true);
  const base = {
    level: opts.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'klepaas-bot' },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: {
          colorize: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,service',
          destination: 2,
        },
      },
    });
  }
  return pino(base, dest as pino.DestinationStream);
}

/** A logger that writes nothing, for tests and pure code paths that take a logger argument. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
