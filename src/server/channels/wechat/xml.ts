import { ValidationError } from '../../errors'

/**
 * WeChat's messages are one flat <xml> element whose children hold text or CDATA
 * (https://developers.weixin.qq.com/doc/offiaccount/en/Message_Management/Receiving_standard_messages.html).
 * That is all this reads: no attributes, no namespaces, no DTDs (so no entity expansion attacks);
 * a nested child (some menu events) is kept as its raw inner XML. No dependency is needed.
 */
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)))
    return ENTITIES[e] ?? ''
  })
}

export function parseWechatXml(raw: string): Record<string, string> {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(raw)
  if (!root) throw new ValidationError('The body is not a WeChat <xml> message.')
  if (/<!DOCTYPE|<!ENTITY/i.test(raw)) throw new ValidationError('DTDs are not accepted.')
  const out: Record<string, string> = {}
  const child = /<([A-Za-z_][\w.-]*)>([\s\S]*?)<\/\1>/g
  const inner = root[1]!
  for (let m = child.exec(inner); m; m = child.exec(inner)) {
    const value = m[2]!
    const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(value)
    out[m[1]!] = cdata ? cdata[1]! : decode(value.trim())
  }
  if (inner.replace(child, '').trim() !== '')
    throw new ValidationError('The WeChat XML has text outside its elements or an unclosed element.')
  return out
}
