import { type ReactNode, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react'

type Props<T> = {
  items: T[]
  itemKey: (item: T) => string
  render: (item: T) => ReactNode
  /** A first guess for unmeasured rows; real heights are measured as rows render. */
  estimate?: number
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number
  /** Chat mode: start at the bottom and stay there while the user is at the bottom. */
  stickToBottom?: boolean
  /** Called when the user scrolls near the top (load older items). */
  onReachStart?: () => void
  className?: string
  label: string
}

/**
 * A small windowing list with variable row heights: only rows in (or near) the viewport are in
 * the DOM, so a thread of thousands of messages scrolls smoothly. When items are prepended
 * (older pages) or rows above the viewport change height, the visible row stays where it was.
 */
export function VirtualList<T>({
  items,
  itemKey,
  render,
  estimate = 72,
  overscan = 6,
  stickToBottom = false,
  onReachStart,
  className = '',
  label,
}: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null)
  const heights = useRef(new Map<string, number>())
  const [, setVersion] = useState(0)
  const [viewport, setViewport] = useState({ top: 0, height: 800 })
  const atBottom = useRef(true)
  const anchor = useRef<{ key: string; offset: number } | null>(null)

  const keys = useMemo(() => items.map(itemKey), [items, itemKey])
  // Prefix sums of row heights; heights change through setVersion, so this is recomputed each render.
  const offsets = new Array<number>(keys.length + 1)
  offsets[0] = 0
  for (let i = 0; i < keys.length; i++)
    offsets[i + 1] = offsets[i]! + (heights.current.get(keys[i]!) ?? estimate)
  const total = offsets[keys.length] ?? 0

  const first = Math.max(0, findIndex(offsets, viewport.top) - overscan)
  const last = Math.min(keys.length - 1, findIndex(offsets, viewport.top + viewport.height) + overscan)

  // Before the browser paints: keep the anchor row in place, or stay pinned to the bottom.
  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    if (stickToBottom && atBottom.current) {
      el.scrollTop = el.scrollHeight
    } else if (anchor.current) {
      const i = keys.indexOf(anchor.current.key)
      if (i >= 0) {
        const want = offsets[i]! - anchor.current.offset
        if (Math.abs(el.scrollTop - want) > 1) el.scrollTop = want
      }
    }
  })

  const onScroll = () => {
    const el = scroller.current
    if (!el) return
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
    const i = findIndex(offsets, el.scrollTop)
    const key = keys[i]
    anchor.current = key ? { key, offset: offsets[i]! - el.scrollTop } : null
    setViewport({ top: el.scrollTop, height: el.clientHeight })
    if (el.scrollTop < 200 && onReachStart) onReachStart()
  }

  const observer = useMemo(
    () =>
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver((entries) => {
            let changed = false
            for (const e of entries) {
              const key = (e.target as HTMLElement).dataset.vkey
              const h = Math.round(e.borderBoxSize[0]?.blockSize ?? e.target.getBoundingClientRect().height)
              if (key && heights.current.get(key) !== h) {
                heights.current.set(key, h)
                changed = true
              }
            }
            if (changed) setVersion((v) => v + 1)
          }),
    [],
  )
  const measure = useCallback(
    (el: HTMLDivElement | null) => {
      if (!el || !observer) return
      observer.observe(el)
      return () => observer.unobserve(el)
    },
    [observer],
  )
  const setScroller = useCallback((el: HTMLDivElement | null) => {
    scroller.current = el
    if (el) setViewport({ top: el.scrollTop, height: el.clientHeight || 800 })
  }, [])

  const rows: ReactNode[] = []
  for (let i = first; i <= last; i++) {
    const item = items[i]!
    rows.push(
      <div
        key={keys[i]}
        ref={measure}
        data-vkey={keys[i]}
        className="vlist-row"
        style={{ insetBlockStart: offsets[i] }}
      >
        {render(item)}
      </div>,
    )
  }
  return (
    <div
      ref={setScroller}
      className={`vlist ${className}`}
      onScroll={onScroll}
      role="log"
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
      tabIndex={0}
    >
      <div className="vlist-inner" style={{ blockSize: total }}>
        {rows}
      </div>
    </div>
  )
}

/** The row whose span contains `y` (binary search over prefix offsets). */
function findIndex(offsets: number[], y: number): number {
  let lo = 0
  let hi = offsets.length - 2
  if (hi < 0) return 0
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (offsets[mid]! <= y) lo = mid
    else hi = mid - 1
  }
  return lo
}
