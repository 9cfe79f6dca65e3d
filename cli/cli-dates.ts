/**
 * Dates as the domain writes them (DOMAIN.md: dd/MM/yyyy), in UTC so that two agencies'
 * printouts of the same package agree.
 */
const pad = (n: number): string => String(n).padStart(2, '0');

/** dd/MM/yyyy. */
export function formatDate(value: string | Date): string {
  const d = new Date(value);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** dd/MM/yyyy HH:mm:ss UTC. */
export function formatDateTime(value: string | Date): string {
  const d = new Date(value);
  return `${formatDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}
