import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export async function startSmtpSink() {
  const messages: ParsedMail[] = []
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail)
          for (const w of waiters.splice(0)) w()
          callback()
        },
        (err) => callback(err),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as { port: number }
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(pred: (m: ParsedMail) => boolean, timeoutMs = 15_000): Promise<ParsedMail> {
      const until = Date.now() + timeoutMs
      for (;;) {
        const found = messages.find(pred)
        if (found) return found
        if (Date.now() > until)
          throw new Error(`no matching email within ${timeoutMs} ms (${messages.length} received)`)
        await new Promise<void>((r) => {
          waiters.push(r)
          setTimeout(r, 200)
        })
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
