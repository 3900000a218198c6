import pino, { type DestinationStream, type Logger } from 'pino'

export type Log = Logger

/** Header and body keys whose values must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.accessToken',
  '*.apiToken',
  '*.authToken',
  '*.appSecret',
  '*.botToken',
  '*.identitySecret',
  '*.smtpPassword',
  '*.imapPassword',
  '*.passwordHash',
  '*.smtpUrl',
  '*.databaseUrl',
]

const SECRET_QUERY_KEYS =
  /^(token|access_token|hub\.verify_token|verify_token|secret|signature|password|key|code)$/i

/** Replaces the values of secret-looking query parameters in a URL with "[redacted]". */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  for (const key of [...params.keys()]) if (SECRET_QUERY_KEYS.test(key)) params.set(key, '[redacted]')
  return `${url.slice(0, q)}?${params.toString()}`
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        err: pino.stdSerializers.err,
        req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  )
}
