import { type ReactNode, useEffect, useRef } from 'react'

/** A button with a panel under it; Escape or a click outside closes it. */
export function Popover({
  label,
  buttonText,
  open,
  onOpenChange,
  children,
  className = '',
}: {
  label: string
  buttonText: ReactNode
  open: boolean
  onOpenChange: (open: boolean) => void
  children: ReactNode
  className?: string
}) {
  const root = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) onOpenChange(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onOpenChange(false)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open, onOpenChange])
  return (
    <div className={`popover ${className}`} ref={root}>
      <button
        type="button"
        className="btn btn-secondary"
        aria-expanded={open}
        aria-label={label}
        onClick={() => onOpenChange(!open)}
      >
        {buttonText}
      </button>
      {open && (
        <div className="popover-panel" role="dialog" aria-label={label}>
          {children}
        </div>
      )}
    </div>
  )
}
