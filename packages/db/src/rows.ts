/** Raw db.execute() results differ per driver in type but all carry `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** True when the database answers a trivial query; used by /healthz. */
export async function databaseAnswers(db: { execute(query: string): Promise<unknown> }): Promise<boolean> {
  const [row] = rowsOf<{ ok: number }>(await db.execute("SELECT 1 AS ok"));
  return row?.ok === 1;
}

/** Our row ids are PostgreSQL `serial` (integer): none is larger, and a larger number in a query fails there. */
export const maxRowId = 2_147_483_647;

/** Whether a number a client sent can be one of our row ids at all. */
export const isRowId = (value: number) => Number.isInteger(value) && value > 0 && value <= maxRowId;
