import { CUSTOMERS, person, personWithMail, PRODUCTS, prose, Rng, subSeed } from './text';

/**
 * One synthetic IMS issue over time. Its whole life (comments, history, attachments, status
 * changes, an edited comment, sometimes a retitling) is drawn once from a seed; a crawl at time
 * T writes the snapshot of what existed at T, so re-crawls of an issue in later sessions show
 * its status, comments and history evolving as docs/input-format.md §9 describes.
 * Times are naive Korean wall-clock times, held as epoch milliseconds read in UTC.
 */

export interface IssueRef {
  issueNo: number;
  /** CLI product (folder name) the issue belongs to. */
  product: string;
  createdMs: number;
}

interface Timeline {
  title: string;
  retitle?: { at: number; title: string };
  description: string;
  imsProduct: string;
  priorityHighAt?: number;
  reporter: string;
  handlers: { at: number; who: string }[];
  statuses: { at: number; status: string }[];
  comments: { actionNo: string; author: string; at: number; content: string; edit?: { at: number; content: string } }[];
  history: { at: number; user: string; details: string }[];
  attachments: { at: number; name: string; fileId: string; size: string; type: string }[];
  related: Record<string, string>[];
  metadata: Record<string, string>;
  notice: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function timeline(seed: number, ref: IssueRef): Timeline {
  const rng = new Rng(subSeed(seed, ref.issueNo));
  const p = PRODUCTS[ref.product];
  const customer = rng.pick(CUSTOMERS);
  const term = rng.pick(p.terms);
  const title = `[${rng.chance(0.5) ? 'Project' : 'Support'}] [${customer}] ${term} ${rng.pick(['에러 분석 및 가이드 문의', '발생 원인 문의', '현상 재현 및 조치 요청', 'エラーの調査依頼', '성능 저하 문의'])}`;
  let t = ref.createdMs;
  const handlers = [{ at: t, who: personWithMail(rng) }];
  const statuses = [{ at: t, status: 'New' }];
  const history: Timeline['history'] = [];
  const comments: Timeline['comments'] = [];
  const nComments = Math.min(14, 1 + Math.floor(-Math.log(1 - rng.next()) * 4));
  const closing = rng.chance(0.7);
  const steps = [
    'Assigned',
    ...(rng.chance(0.5) ? ['Approved'] : []),
    ...(closing ? [rng.chance(0.85) ? 'Closed' : 'Closed_P'] : []),
  ];
  // Events interleave: each comment advances time; status steps fall between comments.
  let stepAt = 0;
  for (let k = 0; k < nComments; k++) {
    t += rng.int(2 * HOUR, 10 * DAY);
    const author = person(rng);
    comments.push({
      actionNo: String(2_000_000 + ref.issueNo * 20 + k),
      author,
      at: t,
      content: prose(rng, rng.int(40, 180), p.terms),
      ...(rng.chance(0.12)
        ? { edit: { at: t + rng.int(HOUR, 10 * DAY), content: prose(rng, rng.int(60, 260), p.terms) } }
        : {}),
    });
    if (stepAt < steps.length && (rng.chance(0.45) || k === nComments - 1)) {
      const from = statuses[statuses.length - 1].status;
      const at = t + rng.int(60_000, 2 * HOUR);
      statuses.push({ at, status: steps[stepAt++] });
      history.push({ at, user: author, details: `Status: ${from} -> ${statuses[statuses.length - 1].status}` });
    }
    if (rng.chance(0.15)) {
      const who = personWithMail(rng);
      const at = t + rng.int(60_000, HOUR);
      history.push({
        at,
        user: person(rng),
        details: `Handler: ${handlers[handlers.length - 1].who.split(' (')[0]} -> ${who.split(' (')[0]}`,
      });
      handlers.push({ at, who });
    }
  }
  const priorityHighAt = rng.chance(0.2) ? ref.createdMs + rng.int(HOUR, 20 * DAY) : undefined;
  if (priorityHighAt !== undefined)
    history.push({ at: priorityHighAt, user: person(rng), details: 'Priority: Normal -> High' });
  history.sort((a, b) => a.at - b.at);
  const attachments: Timeline['attachments'] = [];
  for (let k = rng.int(0, 3); k > 0; k--) {
    const patch = rng.chance(0.3);
    attachments.push({
      at: ref.createdMs + rng.int(0, 30 * DAY),
      name: patch
        ? `${ref.product.toLowerCase()}_${term.replace(/\W+/g, '_')}_fix_${k}.patch`
        : rng.pick(['tjesmgr.log', 'core_dump.txt', '장애 보고서 (최종) v2.docx', 'sysout.txt', 'trace_ログ.log']),
      fileId: String(880_000 + ref.issueNo * 4 + k),
      size: rng.chance(0.1)
        ? ''
        : rng.chance(0.3)
          ? `${(rng.int(11, 99) / 10).toFixed(1)} MB`
          : `${rng.int(1, 900)} KB`,
      type: patch ? 'patch' : 'regular',
    });
  }
  const related = Array.from({ length: rng.chance(0.6) ? rng.int(1, 3) : 0 }, () => ({
    issue_no: String(ref.issueNo - rng.int(1, 5000)),
    status: rng.pick(['Closed', 'Assigned', 'Closed_P']),
    product: ref.product,
    module: rng.pick(p.modules),
    owner: person(rng),
    handler: person(rng),
    customer,
    ...(rng.chance(0.5) ? { project: `[${customer}] 차세대 시스템`, subject: `${term} 관련 문의` } : {}),
  }));
  const metadata: Record<string, string> = {};
  if (rng.chance(0.7)) {
    metadata.category = rng.pick(['Technical Support', 'Bug', 'Question']);
    metadata.version = `${ref.product} ${rng.int(5, 8)}.${rng.int(0, 3)}`;
    metadata.module = rng.pick(p.modules);
    if (rng.chance(0.6)) metadata.severity = rng.pick(['Major', 'Minor', 'Critical']);
    metadata.customer = customer;
    if (rng.chance(0.5)) metadata.project = `[${customer}] 차세대 시스템`;
    if (rng.chance(0.3)) metadata.patch_version = `Fix#${rng.int(1, 9)}`;
  }
  return {
    title,
    retitle: rng.chance(0.1) ? { at: ref.createdMs + rng.int(DAY, 20 * DAY), title: `${title} (재발)` } : undefined,
    description: prose(rng, rng.int(100, 600), p.terms),
    imsProduct: rng.pick(p.ims),
    priorityHighAt,
    reporter: personWithMail(rng),
    handlers,
    statuses,
    comments,
    history,
    attachments,
    related,
    metadata,
    notice: rng.chance(0.4) ? `${ref.product} ${rng.int(5, 8)}.1 Fix#${rng.int(1, 9)} 이상 적용 권장` : '',
  };
}

/** `YYYY/MM/DD HH:MM:SS`, the IMS page format (docs/input-format.md §7.5). */
function imsDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
}

/** Python's naive `datetime.isoformat()` with microseconds. */
export function isoMicros(ms: number, micros: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}`;
}

function lastAt<T extends { at: number }>(items: T[], t: number): T | undefined {
  let found: T | undefined;
  for (const item of items) if (item.at <= t) found = item;
  return found;
}

/**
 * The issue file a crawl at `crawledMs` writes, keys in the crawler's order
 * (docs/input-format.md §6); `crawlOrder` undefined for an issue reached as a related issue.
 */
export function snapshot(
  seed: number,
  ref: IssueRef,
  crawledMs: number,
  crawledAt: string,
  crawlOrder?: number,
): Record<string, unknown> {
  const tl = timeline(seed, ref);
  const seen = <T extends { at: number }>(items: T[]) => items.filter((x) => x.at <= crawledMs);
  const comments = seen(tl.comments);
  const history = seen(tl.history);
  const status = lastAt(tl.statuses, crawledMs)?.status ?? 'New';
  const last = Math.max(ref.createdMs, ...comments.map((c) => c.at), ...history.map((h) => h.at));
  return {
    issue_id: String(ref.issueNo),
    title: tl.retitle && tl.retitle.at <= crawledMs ? tl.retitle.title : tl.title,
    description: tl.description,
    product: tl.imsProduct,
    status,
    priority: tl.priorityHighAt !== undefined && tl.priorityHighAt <= crawledMs ? 'High' : 'Normal',
    created_date: imsDate(ref.createdMs),
    updated_date: imsDate(last),
    reporter: tl.reporter,
    assignee: lastAt(tl.handlers, crawledMs)?.who ?? '',
    product_notice: tl.notice,
    related_issues: tl.related,
    comments: comments.map((c) => ({
      action_no: c.actionNo,
      author: c.author,
      date: imsDate(c.at),
      content: c.edit && c.edit.at <= crawledMs ? c.edit.content : c.content,
    })),
    history: history.map((h) => ({ date: imsDate(h.at), user: h.user, details: h.details })),
    attachments: seen(tl.attachments).map((a) => ({ name: a.name, file_id: a.fileId, size: a.size, type: a.type })),
    metadata: tl.metadata,
    url: `https://ims.tmaxsoft.com/tody/ims/issue/issueView.do?issueId=${ref.issueNo}`,
    crawled_at: crawledAt,
    ...(crawlOrder === undefined ? {} : { crawl_order: crawlOrder }),
  };
}
