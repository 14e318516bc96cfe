import { ELIGIBLE_PROPOSAL, HOUSEHOLD, PASSING_APPRAISAL, SUPPORT_PLAN } from '../../src/database/demo-payloads.js';
import type { TestApp } from './test-app.js';

export interface CaseBody {
  id: string;
  status: string;
  finished: boolean;
  version: number;
  jurisdictionCode: string;
  data: Record<string, unknown>;
  currentSteps: { key: string; label: string; entry: number }[];
  openTasks: { id: string; step: string; role: string; level: string; jurisdictionCode: string; assigneeId: string | null }[];
  availableActions: { step: string; action: string }[];
  workflow: { key: string; version: number };
  parent: { id: string; workflow: string; step: string; stepEntry: number } | null;
  children: { id: string; workflow: string; status: string; finished: boolean; step: string; stepEntry: number; createdAt: string }[];
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

  /** A 台山 poverty-entry case driven by the town through its three steps, now at the county review. */
  async entryAtCountyReview(): Promise<CaseBody> {
    let c = await this.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    c = await this.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await this.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    return this.act('ts-officer', c, 'record', PASSING_APPRAISAL);
  }

  /** The same case approved by the county and the city, now in its public notice (公示). */
  async entryAtNotice(): Promise<CaseBody> {
    const c = await this.act('ts-reviewer', await this.entryAtCountyReview(), 'approve', {});
    return this.act('jm-approver', c, 'approve', {});
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

// The payloads live in src/ so that scripts/bench-transitions.ts drives the same cases;
// re-exported here for the specs that import them from the driver.
export {
  CITY_APPROVAL,
  COUNTY_APPROVAL,
  ELIGIBLE_PROPOSAL,
  FAILING_APPRAISAL,
  HOUSEHOLD,
  PASSING_APPRAISAL,
  SUPPORT_PLAN,
} from '../../src/database/demo-payloads.js';
