import { BEIJING_OFFSET_MINUTES } from '../deadlines/deadline-duration.js';

/** `2026-03-02 17:30`, Beijing time: how people here read a due time. */
export function beijingDateTime(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MINUTES * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** A length of time in Chinese, to the minute: `3天2小时`, `5小时10分钟`, `不到1分钟`. */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return rest > 0 ? `${hours}小时${rest}分钟` : `${hours}小时`;
  return rest > 0 ? `${rest}分钟` : '不到1分钟';
}
