import sanitizeHtml from 'sanitize-html'

/**
 * Email HTML is hostile input: it reaches agents' browsers. What survives:
 * - text formatting, lists, tables, links (opened in a new tab, no referrer);
 * - inline `style` limited to a few harmless properties (colour, alignment, weight, direction);
 *   no `<style>` blocks, no `url(...)`, no positioning;
 * - images embedded in the message itself (`cid:` parts, which mailparser turns into data: URIs).
 * What does not: scripts, event handlers, iframes, forms, objects, `<style>`/`<link>`, and
 * **remote images**, which would tell the sender when and where the agent opened the email
 * (tracking pixels). A remote image becomes a link, `[image: alt]`, that the agent may open.
 */
const COLOR = /^(#[0-9a-f]{3,8}|rgba?\([\d\s.,%]+\)|[a-z]{3,20})$/i
const STYLES: sanitizeHtml.IOptions['allowedStyles'] = {
  '*': {
    color: [COLOR],
    'background-color': [COLOR],
    'text-align': [/^(left|right|center|justify|start|end)$/],
    'font-weight': [/^(normal|bold|bolder|lighter|[1-9]00)$/],
    'font-style': [/^(normal|italic)$/],
    'text-decoration': [/^(none|underline|line-through)$/],
    direction: [/^(ltr|rtl)$/],
  },
}
const EMBEDDED_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,/i

const base: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
    'img',
    'span',
    'font',
    'center',
    'u',
    's',
    'del',
    'ins',
  ],
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel', 'data-remote-image'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    font: ['color'],
    td: ['colspan', 'rowspan', 'align', 'valign'],
    th: ['colspan', 'rowspan', 'align', 'valign'],
    '*': ['style', 'dir', 'lang', 'align'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['data'] },
  allowedStyles: STYLES,
  allowProtocolRelative: false,
}

const linkAttrs = (href: string | undefined) => ({
  ...(href ? { href } : {}),
  target: '_blank',
  rel: 'noopener noreferrer nofollow',
})

/** Inbound email HTML → HTML safe to show in the inbox (see above). Counts the blocked remote images. */
export function sanitizeInboundHtml(html: string): { html: string; remoteImages: number } {
  let remoteImages = 0
  const out = sanitizeHtml(html, {
    ...base,
    transformTags: {
      a: (_tag, attribs) => ({ tagName: 'a', attribs: { ...attribs, ...linkAttrs(attribs.href) } }),
      img: (_tag, attribs) => {
        const src = attribs.src ?? ''
        if (EMBEDDED_IMAGE.test(src)) return { tagName: 'img', attribs }
        if (/^https?:\/\//i.test(src)) {
          remoteImages++
          return {
            tagName: 'a',
            attribs: { ...linkAttrs(src), 'data-remote-image': '1' },
            text: `[image: ${attribs.alt?.trim() || src.split('/').pop()?.split('?')[0] || 'remote'}]`,
          }
        }
        // cid: left unresolved, file:, javascript:…: nothing to show.
        return { tagName: 'span', attribs: {}, text: '' }
      },
    },
  })
  return { html: out, remoteImages }
}

/** Agent or workflow HTML going out: the same allow-list, remote images kept (it is our own content). */
export function sanitizeOutboundHtml(html: string): string {
  return sanitizeHtml(html, {
    ...base,
    allowedSchemesByTag: { img: ['data', 'http', 'https', 'cid'] },
    transformTags: {
      a: (_tag, attribs) => ({ tagName: 'a', attribs: { ...attribs, ...linkAttrs(attribs.href) } }),
    },
  })
}

/** Plain text of an HTML body, for emails that have no text part. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\s*\/?>/gi, '\n')
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} })
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
