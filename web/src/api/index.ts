/** The typed Covalue API client the web app uses: the same public API as anyone else. */
import { request } from './client';
import type {
  AdvanceBody,
  Comment,
  Community,
  CreateCommentBody,
  CreateCommunityBody,
  CreateNeedBody,
  CreateSceneBody,
  CreateSolutionBody,
  LoginBody,
  Me,
  MemberReply,
  MembershipReply,
  Need,
  NeedListQuery,
  Page,
  PageQuery,
  PurchaseIntent,
  RegisterBody,
  ReviewBody,
  ReviseSolutionBody,
  Scene,
  SceneListQuery,
  SessionReply,
  Solution,
  SolutionListQuery,
  SolutionVersion,
  Supporter,
  SupportReply,
  UpdateCommunityBody,
  VoteReply,
} from './types';

export { ApiError } from './client';
export type * from './types';

const e = encodeURIComponent;

export const api = {
  auth: {
    register: (body: RegisterBody) => request<MemberReply>('POST', '/auth/register', { body }),
    login: (body: LoginBody) => request<MemberReply>('POST', '/auth/login', { body }),
    logout: () => request<void>('POST', '/auth/logout'),
    me: () => request<Me>('GET', '/me'),
    session: () => request<SessionReply>('GET', '/auth/session'),
  },
  communities: {
    list: (query?: PageQuery) => request<Page<Community>>('GET', '/communities', { query }),
    get: (idOrSlug: string) => request<Community>('GET', `/communities/${e(idOrSlug)}`),
    create: (body: CreateCommunityBody) => request<Community>('POST', '/communities', { body }),
    update: (id: string, body: UpdateCommunityBody) => request<Community>('PATCH', `/communities/${e(id)}`, { body }),
    join: (id: string) => request<MembershipReply>('PUT', `/communities/${e(id)}/membership`),
    leave: (id: string) => request<MembershipReply>('DELETE', `/communities/${e(id)}/membership`),
  },
  scenes: {
    list: (query?: SceneListQuery) => request<Page<Scene>>('GET', '/scenes', { query }),
    get: (id: string) => request<Scene>('GET', `/scenes/${e(id)}`),
    create: (body: CreateSceneBody) => request<Scene>('POST', '/scenes', { body }),
  },
  needs: {
    list: (query?: NeedListQuery) => request<Page<Need>>('GET', '/needs', { query }),
    get: (id: string) => request<Need>('GET', `/needs/${e(id)}`),
    create: (body: CreateNeedBody) => request<Need>('POST', '/needs', { body }),
    support: (id: string, intent?: PurchaseIntent) =>
      request<SupportReply>('PUT', `/needs/${e(id)}/support`, intent ? { body: { intent } } : {}),
    unsupport: (id: string) => request<SupportReply>('DELETE', `/needs/${e(id)}/support`),
    supporters: (id: string, query?: PageQuery) => request<Page<Supporter>>('GET', `/needs/${e(id)}/supporters`, { query }),
    mySupports: (query?: PageQuery) => request<Page<Need>>('GET', '/me/supports', { query }),
    review: (id: string, body: ReviewBody) => request<Need>('POST', `/needs/${e(id)}/review`, { body }),
    advance: (id: string, body: AdvanceBody) => request<Need>('POST', `/needs/${e(id)}/advance`, { body }),
    merge: (id: string, intoNeedId: string) => request<Need>('POST', `/needs/${e(id)}/merge`, { body: { intoNeedId } }),
    chooseSolution: (id: string, solutionId: string) =>
      request<Need>('POST', `/needs/${e(id)}/choose-solution`, { body: { solutionId } }),
  },
  solutions: {
    listForNeed: (needId: string, query?: SolutionListQuery) =>
      request<Page<Solution>>('GET', `/needs/${e(needId)}/solutions`, { query }),
    listByAuthor: (authorId: string, query?: PageQuery) =>
      request<Page<Solution>>('GET', '/solutions', { query: { ...query, authorId } }),
    create: (needId: string, body: CreateSolutionBody) => request<Solution>('POST', `/needs/${e(needId)}/solutions`, { body }),
    get: (id: string) => request<Solution>('GET', `/solutions/${e(id)}`),
    revise: (id: string, body: ReviseSolutionBody) => request<Solution>('POST', `/solutions/${e(id)}/versions`, { body }),
    versions: (id: string) => request<{ items: SolutionVersion[] }>('GET', `/solutions/${e(id)}/versions`),
    vote: (id: string) => request<VoteReply>('PUT', `/solutions/${e(id)}/vote`),
    unvote: (id: string) => request<VoteReply>('DELETE', `/solutions/${e(id)}/vote`),
  },
  comments: {
    list: (target: CommentTarget, query?: PageQuery) =>
      request<Page<Comment>>('GET', `${targetPath(target)}/comments`, { query }),
    create: (target: CommentTarget, body: CreateCommentBody) =>
      request<Comment>('POST', `${targetPath(target)}/comments`, { body }),
    edit: (id: string, body: string) => request<Comment>('PATCH', `/comments/${e(id)}`, { body: { body } }),
    remove: (id: string) => request<void>('DELETE', `/comments/${e(id)}`),
    hide: (id: string, hidden: boolean) => request<Comment>('POST', `/comments/${e(id)}/hide`, { body: { hidden } }),
  },
};

/** What a comment thread hangs on. */
export type CommentTarget = { needId: string } | { solutionId: string };

function targetPath(target: CommentTarget): string {
  return 'needId' in target ? `/needs/${e(target.needId)}` : `/solutions/${e(target.solutionId)}`;
}
