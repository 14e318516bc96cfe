import type { TestApp } from './test-app.js';

export interface CaseBody {
  id: string;
  status: string;
  finished: boolean;
  version: number;
  data: Record<string, unknown>;
  currentSteps: { key: string; label: string; entry: number }[];
  openTasks: { id: string; step: string; role: string; level: string; jurisdictionCode: string }[];
  availableActions: { step: string; action: string }[];
  workflow: { key: string; version: number };
}

/**
 * Drives cases through the HTTP API as the demo users would: logs each user in once and
 * keeps the case version from the last response, like a browser tab does.
 */
export class CaseDriver {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly testApp: TestApp) {}

  async token(username: string): Promise<string> {
    let token = this.tokens.get(username);
    if (!token) {
      token = await this.testApp.login(username);
      this.tokens.set(username, token);
    }
    return token;
  }

  async start(username: string, workflow: string, data: Record<string, unknown>, jurisdiction?: string): Promise<CaseBody> {
    const response = await this.testApp.http
      .post('/api/cases')
      .set('Authorization', `Bearer ${await this.token(username)}`)
      .send({ workflow, data, ...(jurisdiction ? { jurisdiction } : {}) });
    if (response.status !== 201) throw new Error(`start ${workflow} as ${username}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as CaseBody;
  }

  /** Takes an action and returns the raw response, for tests that assert refusals. */
  async try(
    username: string,
    current: CaseBody,
    action: string,
    data?: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    return this.testApp.http
      .post(`/api/cases/${current.id}/actions`)
      .set({ Authorization: `Bearer ${await this.token(username)}`, ...headers })
      .send({ action, ...(data ? { data } : {}), expectedVersion: current.version, ...extra });
  }

  /** Takes an action that must succeed. */
  async act(username: string, current: CaseBody, action: string, data?: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<CaseBody> {
    const response = await this.try(username, current, action, data, extra);
    if (response.status !== 200) {
      throw new Error(`${action} as ${username} on ${current.currentSteps.map((s) => s.key).join(',')}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as CaseBody;
  }

  async get(username: string, id: string) {
    return this.testApp.http.get(`/api/cases/${id}`).set('Authorization', `Bearer ${await this.token(username)}`);
  }

  async verify(username: string, id: string) {
    return this.testApp.http.get(`/api/cases/${id}/history/verify`).set('Authorization', `Bearer ${await this.token(username)}`);
  }
}

export function steps(body: CaseBody): string[] {
  return body.currentSteps.map((s) => s.key).sort();
}

export const HOUSEHOLD = { householdName: '陈大明', rural: true, memberCount: 4 };

export const ELIGIBLE_PROPOSAL = {
  perCapitaIncome: 4200,
  hasLabourAbility: true,
  dibao: true,
  consent: true,
  members: [
    { name: '陈大明', relation: '户主', age: 46, labourAbility: true },
    { name: '李秀英', relation: '配偶', age: 44, labourAbility: true, disability: false },
  ],
};

export const SUPPORT_PLAN = {
  measures: ['industry', 'employment'],
  pairedUnit: '台山市农业农村局',
  responsiblePerson: '黄志强',
};

export const PASSING_APPRAISAL = { meetingDate: '2026-03-10', attendance: 41, votesFor: 36, votesAgainst: 3, minutes: '村民代表会议一致同意纳入帮扶。' };
export const FAILING_APPRAISAL = { meetingDate: '2026-03-10', attendance: 41, votesFor: 12, votesAgainst: 25, minutes: '多数代表认为收入核算有误。' };
