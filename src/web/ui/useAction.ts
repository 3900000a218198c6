import { useState } from 'react'

/**
 * A page's row and form actions: each clears the last error, runs, then refreshes what it changed;
 * a failure is kept for the page's alert and field errors. `act` answers whether it succeeded, so a
 * form can clear itself only then.
 */
export function useAction(refresh: () => Promise<unknown>) {
  const [error, setError] = useState<unknown>(null)
  const act = async (fn: () => Promise<unknown>) => {
    setError(null)
    try {
      await fn()
      await refresh()
      return true
    } catch (err) {
      setError(err)
      return false
    }
  }
  return { act, error }
}
