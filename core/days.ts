/** yyyy-mm-dd days from..to inclusive (UTC); empty when from > to or either is not a date. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  const end = new Date(`${toDay}T00:00:00.000Z`).getTime();
  for (let t = new Date(`${fromDay}T00:00:00.000Z`).getTime(); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
