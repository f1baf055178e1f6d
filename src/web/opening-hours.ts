/**
 * A comune's web-chat opening hours: for each weekday, time slots "HH:MM"–"HH:MM" in the comune's
 * time zone (several per day, e.g. 9–13 and 15:30–17:30). A day that is absent is closed.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type OpeningHours = Partial<Record<Weekday, Array<[string, string]>>>;

/** The usual URP timetable, used until a comune sets its own. */
export const DEFAULT_OPENING_HOURS: OpeningHours = {
  mon: [['09:00', '13:00']],
  tue: [['09:00', '13:00'], ['15:30', '17:30']],
  wed: [['09:00', '13:00']],
  thu: [['09:00', '13:00'], ['15:30', '17:30']],
  fri: [['09:00', '13:00']],
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Validates stored or submitted hours; throws naming the bad day. */
export function parseOpeningHours(value: unknown): OpeningHours {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('opening hours must be an object of weekdays');
  const out: OpeningHours = {};
  for (const [day, slots] of Object.entries(value as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) throw new Error(`"${day}" is not a weekday (use ${WEEKDAYS.join(', ')})`);
    if (!Array.isArray(slots)) throw new Error(`${day}: must be a list of [from, to] slots`);
    out[day as Weekday] = slots.map((s, i) => {
      if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => typeof x === 'string' && TIME.test(x))) {
        throw new Error(`${day}[${i}]: must be ["HH:MM", "HH:MM"]`);
      }
      if (s[0] >= s[1]) throw new Error(`${day}[${i}]: must end after it starts`);
      return [s[0], s[1]] as [string, string];
    });
  }
  return out;
}

/** Weekday and "HH:MM" of an instant as read on the comune's clocks. */
export function localClock(at: Date, timeZone: string): { day: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: get('weekday').toLowerCase().slice(0, 3) as Weekday, time: `${get('hour')}:${get('minute')}` };
}

export function isOpenAt(hours: OpeningHours, at: Date, timeZone: string): boolean {
  const { day, time } = localClock(at, timeZone);
  return (hours[day] ?? []).some(([from, to]) => time >= from && time < to);
}
