/**
 * The core phases of every case, and the ticket statuses that carry them. The SQL, the SLA clocks,
 * routing and analytics know these and nothing else: a case type's own stages (a petition's
 * "threshold reached", a booking's "confirmed") each map onto one phase (src/cases/case-type.ts).
 * This file is the one definition of which statuses are open; the SQL functions `case_phase` and
 * `case_is_open` (migration CasePhases) say the same for SQL that is not built here.
 */
export const CORE_PHASES = ['open', 'waiting', 'resolved', 'closed'] as const;
export type CorePhase = (typeof CORE_PHASES)[number];

export const TICKET_STATUSES = ['new', 'open', 'waiting_citizen', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Each status's phase: `new` is an open case nobody has answered yet. */
export const STATUS_PHASE: Readonly<Record<TicketStatus, CorePhase>> = {
  new: 'open',
  open: 'open',
  waiting_citizen: 'waiting',
  resolved: 'resolved',
  closed: 'closed',
};

/** The status a case takes when one of its stages puts it in a phase (the first status of that phase, `new` aside). */
export const PHASE_STATUS: Readonly<Record<CorePhase, TicketStatus>> = {
  open: 'open',
  waiting: 'waiting_citizen',
  resolved: 'resolved',
  closed: 'closed',
};

/** Phases in which a case still asks for something: a citizen's message joins it, its clocks run. */
export const OPEN_PHASES: readonly CorePhase[] = ['open', 'waiting'];

/** The open set: statuses whose phase is open or waiting. */
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => OPEN_PHASES.includes(STATUS_PHASE[s]));

/** Phases that end the work on a case (routing sets it done; a change back out of them is a reopening). */
export const FINISHED_PHASES: readonly CorePhase[] = ['resolved', 'closed'];

export function phaseOf(status: string): CorePhase {
  const phase = STATUS_PHASE[status as TicketStatus];
  if (!phase) throw new Error(`unknown ticket status ${status}`);
  return phase;
}

export function isOpenStatus(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export function isFinishedStatus(status: string): boolean {
  return FINISHED_PHASES.includes(STATUS_PHASE[status as TicketStatus]);
}

/**
 * The open set as an SQL list, `('new','open','waiting_citizen')`, for queries built in TypeScript.
 * Kept as literals (not `case_is_open(status)`) so the planner still matches the partial indexes
 * whose predicate is `status IN (…)`.
 */
export const OPEN_STATUS_SQL = `(${OPEN_STATUSES.map((s) => `'${s}'`).join(',')})`;

/** The standard lifecycle: which status may follow which, for a type without its own stages. */
export const STANDARD_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'waiting_citizen', 'resolved', 'closed'],
  open: ['waiting_citizen', 'resolved', 'closed'],
  waiting_citizen: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

/**
 * SQL for the status of a case that an operator answers or takes: a `new` case becomes `open`
 * (same phase; every type allows it), any other status stays.
 */
export const ANSWERED_STATUS_SQL = `CASE WHEN status = 'new' THEN 'open' ELSE status END`;
