import { join } from 'node:path';
import { FIXTURES, S } from '../helpers/fixtures';

/** Issue 347863 of fixture session S1, as the crawler wrote it. */
export const FIXTURE_347863 = join(FIXTURES, S.S1, '347863_20260103_120902.json');

/** A well-formed issue document as docs/input-format.md §6 describes it, keys in the crawler's order. */
export function issue(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issue_id: '347863',
    title: '[Project] TPETIME 에러 분석 문의',
    description: 'TPETIME 에러가 발생합니다.',
    product: 'OpenFrame Batch',
    status: 'Assigned',
    priority: 'Normal',
    created_date: '2025/10/17 18:12:14',
    updated_date: '2025/12/29 10:05:40',
    reporter: '김예진C ( yeajin_kim2@tmaxsoft.com)',
    assignee: '박민수 ( minsu_park@tmaxsoft.com)',
    product_notice: '',
    related_issues: [],
    comments: [
      { action_no: '2258642', author: '박민수', date: '2025/10/20 09:30:11', content: '확인 중입니다.' },
      { action_no: '2261377', author: '김예진C', date: '2025/12/29 10:05:40', content: '감사합니다.' },
    ],
    history: [],
    attachments: [],
    metadata: {},
    url: 'https://ims.tmaxsoft.com/tody/ims/issue/issueView.do?issueId=347863',
    crawled_at: '2026-01-03T12:09:02.481537',
    crawl_order: 1,
    ...overrides,
  };
}
