import { DEFAULT_OPENING_HOURS, isOpenAt, localClock, parseOpeningHours } from '../../src/web/opening-hours.js';

describe('web-chat opening hours', () => {
  it('reads the time on the comune’s clocks, across daylight saving', () => {
    expect(localClock(new Date('2026-01-13T08:30:00Z'), 'Europe/Rome')).toEqual({ day: 'tue', time: '09:30' });
    expect(localClock(new Date('2026-07-14T08:30:00Z'), 'Europe/Rome')).toEqual({ day: 'tue', time: '10:30' });
  });

  it('is open inside a slot, closed between split shifts, at the end of a slot and on days without slots', () => {
    const tz = 'Europe/Rome';
    expect(isOpenAt(DEFAULT_OPENING_HOURS, new Date('2026-01-13T08:00:00Z'), tz)).toBe(true); // Tue 09:00
    expect(isOpenAt(DEFAULT_OPENING_HOURS, new Date('2026-01-13T12:00:00Z'), tz)).toBe(false); // Tue 13:00, slot ends
    expect(isOpenAt(DEFAULT_OPENING_HOURS, new Date('2026-01-13T14:45:00Z'), tz)).toBe(true); // Tue 15:45
    expect(isOpenAt(DEFAULT_OPENING_HOURS, new Date('2026-01-14T14:45:00Z'), tz)).toBe(false); // Wed 15:45
    expect(isOpenAt(DEFAULT_OPENING_HOURS, new Date('2026-01-17T09:00:00Z'), tz)).toBe(false); // Saturday
    expect(isOpenAt({ sun: [['00:00', '24:00']] }, new Date('2026-01-18T22:59:00Z'), tz)).toBe(true); // Sun 23:59
  });

  it('refuses malformed hours naming the day', () => {
    expect(parseOpeningHours({ mon: [['09:00', '13:00']] })).toEqual({ mon: [['09:00', '13:00']] });
    expect(() => parseOpeningHours({ lun: [] })).toThrow('"lun" is not a weekday');
    expect(() => parseOpeningHours({ tue: [['13:00', '09:00']] })).toThrow('tue[0]: must end after it starts');
    expect(() => parseOpeningHours({ wed: [['9', '13:00']] })).toThrow('wed[0]: must be ["HH:MM", "HH:MM"]');
    expect(() => parseOpeningHours([])).toThrow('opening hours must be an object');
  });
});
