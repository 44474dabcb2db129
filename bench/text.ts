/**
 * Deterministic randomness and the words the synthetic corpus is made of: Korean and Japanese
 * support-desk prose with English product terms mixed in, as IMS issues are written.
 * Nothing here is real data; the people and customers are made up.
 */

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same corpus on any machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A seed for a sub-stream (issue number, session number), so parts can be regenerated alone. */
export function subSeed(seed: number, ...parts: number[]): number {
  let h = seed ^ 0x9e3779b9;
  for (const p of parts) h = Math.imul(h ^ p, 0x85ebca6b) ^ (h >>> 13);
  return h >>> 0;
}

const PEOPLE = [
  ['김예진C', 'yeajin_kim2'],
  ['박민수', 'minsu_park'],
  ['이정훈', 'junghoon_lee'],
  ['정다은', 'daeun_jung'],
  ['최수빈', 'subin_choi'],
  ['한지호', 'jiho_han'],
  ['오세영', 'seyoung_oh'],
  ['윤태경', 'taekyung_yoon'],
  ['山田太郎', 't_yamada'],
  ['佐藤花子', 'h_sato'],
  ['강민지', 'minji_kang'],
  ['서준혁', 'junhyuk_seo'],
] as const;

export const CUSTOMERS = [
  '동경해상',
  '한국 "테스트" 은행',
  '대한생명',
  '미래카드',
  '東京海上日動',
  '서울교통공사',
  '한빛증권',
  '三井住友',
];

/** CLI product (folder name) -> IMS products/modules an issue of it can carry. */
export const PRODUCTS: Record<string, { ims: string[]; modules: string[]; terms: string[] }> = {
  OpenFrame: {
    ims: ['OpenFrame Batch', 'OpenFrame Base', 'OpenFrame OSC'],
    modules: ['TJES', 'TACF', 'OSC', 'OFCOBOL'],
    terms: ['TPETIME', 'tjesmgr', 'JCL', 'dataset lock', 'NIGHTB01', 'abend S0C7', 'SYSOUT'],
  },
  Tibero: {
    ims: ['Tibero', 'Tibero Cluster'],
    modules: ['TAC', 'TSC', 'tbsvr'],
    terms: ['ORA-600', 'tbsvr', 'tbrmgr', 'redo log', 'checkpoint', 'TBR-2131', 'undo tablespace'],
  },
  ProSort: {
    ims: ['ProSort'],
    modules: ['SORT', 'MERGE'],
    terms: ['sort memory', 'SORTWK', 'record length', 'ICE046A'],
  },
  JEUS: {
    ims: ['JEUS', 'JEUS WebAdmin'],
    modules: ['EJB', 'Web', 'JMS'],
    terms: ['deploy', 'OutOfMemoryError', 'datasource', 'session cluster', 'JEUS-3001'],
  },
  WebtoB: { ims: ['WebtoB'], modules: ['HTH', 'SSL'], terms: ['HTH worker', 'SSL handshake', 'wsconfig', '503 error'] },
  HyperFrame: {
    ims: ['HyperFrame'],
    modules: ['OLTP', 'Batch'],
    terms: ['online transaction', 'CICS', 'region restart'],
  },
};

export const KEYWORDS = [
  ['TPETIME', 'error', '에러', '오류'],
  ['TPETIME', '에러', '발생'],
  ['ORA-600', 'internal', 'error'],
  ['백업', '복구'],
  ['sort', 'memory', '부족'],
  ['deploy', 'fail'],
  ['Batch', 'JCL', '오류'],
  ['성능', '저하'],
  ['메모리', '누수'],
  ['エラー', '発生'],
  ['タイムアウト'],
  ['세션', '끊김'],
  ['패치', '적용', '문의'],
  ['lock', '미해제'],
  ['장애', '분석'],
];

const KO = [
  '야간 배치 JOB 수행 중 간헐적으로 에러가 발생합니다.',
  '로그를 확인해 보니 timeout 메시지가 남아 있습니다.',
  '해당 step이 abend 처리되어 후속 작업이 중단되었습니다.',
  '원인 분석 및 설정 가이드를 요청드립니다.',
  '운영 환경에서만 재현되며 개발 환경에서는 재현되지 않습니다.',
  '패치 적용 후에도 동일한 현상이 발생합니다.',
  '고객사에서 긴급 처리를 요청하였습니다.',
  '시스템 로그와 core 파일을 첨부드립니다.',
  '재기동 후 정상 동작을 확인하였습니다.',
  '파라미터 값을 변경하여 테스트 부탁드립니다.',
  '관련 이슈를 참고하여 조치하였습니다.',
  '추가 로그 전달 부탁드립니다.',
  '메모리 사용량이 지속적으로 증가하는 현상이 있습니다.',
  '트랜잭션 처리량이 평소보다 크게 감소하였습니다.',
  '환경 정보를 아래와 같이 공유드립니다.',
  '확인 결과 설정 파일의 오타가 원인으로 보입니다.',
  '동일 증상이 다른 노드에서도 보고되었습니다.',
  '일시적인 네트워크 지연으로 판단됩니다.',
  '다음 정기 점검 시 패치를 반영할 예정입니다.',
  '검토 후 회신드리겠습니다.',
];
const JA = [
  '夜間バッチの実行中にエラーが発生しました。',
  'ログを確認したところタイムアウトが記録されています。',
  '原因の調査をお願いします。',
  '再起動後は正常に動作しています。',
  'パッチ適用後も同じ現象が発生します。',
  '追加のログを送付いたします。',
];
const EN = [
  'Environment: AIX 7.2, OpenFrame 7.1 Fix#3.',
  'Reproduced on node 2 only.',
  'See the attached trace.',
  'Workaround applied; monitoring.',
  'Path: C:\\tmax\\bin\\tbsvr.exe',
  'Config key "MAX_SESSIONS" set to 512.',
];

/** Prose of about `chars` characters (Korean mostly, some Japanese and English). */
export function prose(rng: Rng, chars: number, terms: readonly string[]): string {
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const r = rng.next();
    const s =
      r < 0.7
        ? rng.pick(KO)
        : r < 0.82
          ? rng.pick(JA)
          : r < 0.92
            ? rng.pick(EN)
            : `${rng.pick(terms)} ${rng.int(1, 9999)}`;
    parts.push(s);
    n += s.length + 1;
  }
  return parts.join(' ');
}

export function person(rng: Rng): string {
  return rng.pick(PEOPLE)[0];
}

/** IMS's handler format: name, a space, `(`, a space, e-mail, `)` (docs/input-format.md §6). */
export function personWithMail(rng: Rng): string {
  const [name, mail] = rng.pick(PEOPLE);
  return `${name} ( ${mail}@tmaxsoft.com)`;
}
