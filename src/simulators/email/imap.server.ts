import { createServer, type Socket } from 'node:net'

/**
 * A small IMAP4rev1 server on loopback for tests: one mailbox (INBOX), LOGIN, CAPABILITY, LIST/LSUB,
 * SELECT/EXAMINE, UID FETCH (UID, BODY[]), NOOP, LOGOUT — what a polling client needs. Responses
 * follow RFC 3501, including its quirk that `n:*` always includes the highest UID.
 */
export type ImapMessage = { uid: number; raw: Buffer }

export async function startImapServer(opts: { user: string; pass: string }) {
  const state = { uidValidity: 1000, uidNext: 1, messages: [] as ImapMessage[], commands: [] as string[] }
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let authed = false
    let buffer = ''
    const send = (line: string) => socket.write(`${line}\r\n`)
    send('* OK [CAPABILITY IMAP4rev1] Tawasul test IMAP server ready')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      for (;;) {
        const i = buffer.indexOf('\r\n')
        if (i < 0) break
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 2)
        handle(line)
      }
    })
    const handle = (line: string) => {
      const m = /^(\S+) (\S+)(?: (.*))?$/.exec(line)
      if (!m) return send('* BAD parse error')
      const [, tag, rawCmd, args = ''] = m
      const cmd = rawCmd!.toUpperCase()
      state.commands.push(cmd === 'LOGIN' ? 'LOGIN' : `${cmd} ${args}`.trim())
      const words =
        args.match(/"(?:[^"\\]|\\.)*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1')) ??
        []
      if (cmd === 'CAPABILITY') {
        send('* CAPABILITY IMAP4rev1')
        return send(`${tag} OK CAPABILITY completed`)
      }
      if (cmd === 'NOOP') return send(`${tag} OK NOOP completed`)
      if (cmd === 'LOGOUT') {
        send('* BYE logging out')
        send(`${tag} OK LOGOUT completed`)
        return socket.end()
      }
      if (cmd === 'LOGIN') {
        if (words[0] === opts.user && words[1] === opts.pass) {
          authed = true
          return send(`${tag} OK [CAPABILITY IMAP4rev1] LOGIN completed`)
        }
        return send(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials`)
      }
      if (!authed) return send(`${tag} BAD not authenticated`)
      if (cmd === 'LIST' || cmd === 'LSUB') {
        // LIST "" "" asks for the hierarchy delimiter (RFC 3501 6.3.8).
        if (cmd === 'LIST' && words[1] === '') send('* LIST (\\Noselect) "/" ""')
        else send(`* ${cmd} (\\HasNoChildren) "/" INBOX`)
        return send(`${tag} OK ${cmd} completed`)
      }
      if (cmd === 'SELECT' || cmd === 'EXAMINE') {
        if (words[0]?.toUpperCase() !== 'INBOX') return send(`${tag} NO [NONEXISTENT] no such mailbox`)
        send('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)')
        send(`* ${state.messages.length} EXISTS`)
        send('* 0 RECENT')
        send(`* OK [UIDVALIDITY ${state.uidValidity}] UIDs valid`)
        send(`* OK [UIDNEXT ${state.uidNext}] Predicted next UID`)
        return send(`${tag} OK [${cmd === 'EXAMINE' ? 'READ-ONLY' : 'READ-WRITE'}] ${cmd} completed`)
      }
      if (cmd === 'UID' && words[0]?.toUpperCase() === 'FETCH') {
        const max = state.messages.at(-1)?.uid ?? 0
        const wanted = new Set<number>()
        for (const part of (words[1] ?? '').split(',')) {
          const [a, b] = part.split(':')
          const lo = a === '*' ? max : Number(a)
          const hi = b === undefined ? lo : b === '*' ? max : Number(b)
          for (const msg of state.messages) {
            if (msg.uid >= Math.min(lo, hi) && msg.uid <= Math.max(lo, hi)) wanted.add(msg.uid)
          }
          if (b === '*' && max) wanted.add(max) // RFC 3501 6.4.8: n:* includes the highest UID
        }
        state.messages.forEach((msg, i) => {
          if (!wanted.has(msg.uid)) return
          socket.write(`* ${i + 1} FETCH (UID ${msg.uid} BODY[] {${msg.raw.length}}\r\n`)
          socket.write(msg.raw)
          socket.write(')\r\n')
        })
        return send(`${tag} OK UID FETCH completed`)
      }
      send(`${tag} BAD unknown command ${cmd}`)
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    state,
    deliver(raw: string | Buffer) {
      state.messages.push({ uid: state.uidNext++, raw: Buffer.from(raw) })
    },
    /** The server renumbered its UIDs (e.g. the mailbox was rebuilt): a new UIDVALIDITY. */
    renumber() {
      state.uidValidity++
      state.uidNext = 1
      for (const m of state.messages) m.uid = state.uidNext++
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
