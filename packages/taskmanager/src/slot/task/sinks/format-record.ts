/** How sinks write a record as text: strings as they are, anything else as JSON. */
export function formatRecord(record: unknown): string {
  if (typeof record === 'string') return record;
  if (typeof record === 'bigint') return record.toString();
  const json = JSON.stringify(record);
  return json === undefined ? String(record) : json;
}
