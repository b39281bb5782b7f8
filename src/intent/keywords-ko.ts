import { type PhraseTable, phrases } from './phrase-table.ts';

/**
 * Korean phrases, matched as substrings (particles and endings glue onto words) with optional spaces
 * between syllables groups: "롤백 가능" also matches "롤백가능". Inside a phrase, 롤백 also matches the
 * English "rollback" and 배포 matches "deploy", so mixed messages ("test01 rollback 가능해?") need no
 * extra lines.
 */
export const koreanPhrases: PhraseTable = {
  candidates: phrases(`
    배포 가능한 버전
    배포할 수 있는 버전
    롤백 가능한 버전
    롤백 가능한 커밋
    롤백 가능한 배포
    롤백 가능한 시점
    롤백할 수 있는 버전
    롤백할 수 있는 커밋
    되돌릴 수 있는 버전
    되돌릴 수 있는 커밋
    롤백 후보
    롤백 대상
    후보
    어떤 버전
    어느 버전
    어떤 커밋
    어느 커밋
    버전 목록
    버전 리스트
  `),
  diagnose: phrases(`
    계속 실패
    왜 실패
    실패 이유
    실패하는 이유
    롤백 가능
    롤백할 수 있
    롤백 될까
    롤백 되나
    롤백 돼?
    롤백이 안
    롤백 안 돼
    롤백 안 되
    롤백 못
    롤백이 왜
    롤백 왜
    왜 롤백
    왜 안 돼
    왜 안 되
    롤백 준비
    진단
    점검
  `),
  audit: phrases(`
    누가
    누구
    언제 롤백
    언제 배포
    감사 로그
    감사로그
    한 사람
  `),
  status: phrases(`
    뭐 돌아가
    뭐가 돌아가
    돌아가고 있
    돌아가는 버전
    지금 돌아가는
    버전 돌아가
    버전이 돌아가
    어떤 버전 돌아가
    어떤 버전이 돌아가
    어떤 버전이 떠
    실행 중인 버전
    떠 있
    상태는
    언제 끝나
    언제 끝
    상태
    현황
    진행 상황
    진행 중
    어떻게 됐
    어떻게 되고
    어떻게 돼
    됐어
    됐나
    됐는지
    되었나
    끝났
    완료됐
    완료 됐
    완료되었
    성공했
    실패했
    어디까지
  `),
  history: phrases(`
    이력
    히스토리
    기록
    내역
    배포 목록
    배포 리스트
    최근 배포
    지난 배포
    과거 배포
  `),
  help: phrases(`
    어떻게 하는
    어떻게 하나
    하는 법
    하는 방법
    도움말
    사용법
    사용 방법
    쓰는 법
    어떻게 써
    어떻게 사용
    뭐 할 수 있
    뭘 할 수 있
    무엇을 할 수
    뭐 해줄 수
    뭘 해줄 수
    무슨 기능
    명령어
    롤백이란
    배포란
    이 뭐야
    가 뭐야
    이 뭔가요
    가 뭔가요
    이 뭐예요
    가 뭐예요
    은 뭐야
    는 뭐야
  `),
  unlock: phrases(`
    잠금 해제
    잠금 풀
    락 해제
    락 풀
    해제
    풀어
  `),
  lock: phrases(`
    막아
    잠가
    잠궈
    잠그
    잠금
    락 걸
    동결
    배포 금지
  `),
  cancel: phrases(`
    취소
    그만
    중지
    중단
    멈춰
  `),
  rollback: phrases(`
    으로 돌아가
    로 돌아가
    전으로
    롤백
    되돌려
    되돌리
    원복
    복구
    복원
    돌려줘
    돌려 줘
    돌려놔
    이전 버전
    이전 배포
    예전 버전
    전 버전으로
    직전 버전
  `),
  deploy: phrases(`
    배포
    재배포
    디플로이
    올려줘
  `),
  helpWeak: phrases(`
    도와줘
    도와 줘
    도움
  `),
  negation: phrases(`
    되돌리지 마
    되돌리지 말
    돌리지 마
    돌리지 말
    하지 마
    하지 말
    리지 마
    리지 말
    키지 마
    키지 말
    하면 안
    안 해도
    필요 없
  `),
};

/** Words between two commands that make them two commands ("배포하고 롤백해줘"). */
export const koreanConjunctions = phrases(`
  그리고
  다음
  나서
  후
  뒤에
  하고
  해주고
  해 주고
`);
