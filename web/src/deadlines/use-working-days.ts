import { useEffect, useState } from 'react';
import type { CalendarYear } from '../api/types';
import { useAuth } from '../auth/auth';
import { calendarOf, type WorkingDaysCalendar } from './working-days';

const years = new Map<number, Promise<CalendarYear>>();

/**
 * The working-day calendar of `wanted` years (GET /api/calendar/years/:year, cached for the
 * session); undefined while loading, null when it could not be read (show natural days then).
 */
export function useWorkingCalendar(wanted: readonly number[]): WorkingDaysCalendar | null | undefined {
  const { api } = useAuth();
  const [calendar, setCalendar] = useState<WorkingDaysCalendar | null | undefined>(undefined);
  const key = [...new Set(wanted)].sort().join(',');
  useEffect(() => {
    if (!key) return;
    let live = true;
    const list = key.split(',').map(Number);
    for (const year of list) {
      if (!years.has(year)) {
        const loading = api.calendarYear(year);
        loading.catch(() => years.delete(year));
        years.set(year, loading);
      }
    }
    Promise.all(list.map((year) => years.get(year)!)).then(
      (loaded) => live && setCalendar(calendarOf(loaded)),
      () => live && setCalendar(null),
    );
    return () => {
      live = false;
    };
  }, [api, key]);
  return key ? calendar : undefined;
}
