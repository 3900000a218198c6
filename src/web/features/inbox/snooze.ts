/** Snooze presets, in the browser's time zone. */
export function snoozePresets(
  now: Date,
): { key: 'hour' | 'threeHours' | 'tomorrow' | 'nextWeek'; at: Date }[] {
  const tomorrow = new Date(now)
  tomorrow.setDate(now.getDate() + 1)
  tomorrow.setHours(9, 0, 0, 0)
  const nextWeek = new Date(now)
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7))
  nextWeek.setHours(9, 0, 0, 0)
  return [
    { key: 'hour', at: new Date(now.getTime() + 3600_000) },
    { key: 'threeHours', at: new Date(now.getTime() + 3 * 3600_000) },
    { key: 'tomorrow', at: tomorrow },
    { key: 'nextWeek', at: nextWeek },
  ]
}
