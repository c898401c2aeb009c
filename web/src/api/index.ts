/** The typed Covalue API client the web app uses: the same public API as anyone else. */
import { apiUrl, request } from './client';
import type {
  AdvanceBody,
  Agreement,
  AgreementTerms,
  AgreementVersion,
  ApplyBody,
  AwardBody,
  AwardResult,
  Bid,
  Call,
  CallListQuery,
  Campaign,
  CampaignListQuery,
  CampaignStock,
  ChainGroup,
  ChainGroupListQuery,
  Comment,
  Community,
  Comparison,
  ConsistencyProof,
  Contribution,
  ContributionsQuery,
  CreateCampaignBody,
  CreateCommentBody,
  CreateCommunityBody,
  CreateNeedBody,
  CreatePaymentBody,
  CreatePayoutBatchBody,
  CreatePollBody,
  CreateProductBody,
  CreateSceneBody,
  CreateSolutionBody,
  DrawBody,
  Earnings,
  FeedbackBody,
  FormChainGroupBody,
  FulfilBody,
  FulfilmentQueueQuery,
  InclusionProof,
  LedgerOverview,
  LoggedEntry,
  LoginBody,
  LogPublicKey,
  Lot,
  LotListQuery,
  Me,
  MemberReply,
  MembershipReply,
  MyBid,
  Need,
  NeedListQuery,
  Notification,
  OpenCallBody,
  Order,
  OrderListQuery,
  Organisation,
  OrganisationRole,
  Page,
  PageQuery,
  PartyKind,
  Payment,
  PaymentState,
  Payout,
  PayoutBatch,
  PayoutBatchDetail,
  PlaceOrderBody,
  Poll,
  PollBallot,
  PollListQuery,
  PollResults,
  Product,
  ProductListQuery,
  ProductTrace,
  ProviderInfo,
  ProviderName,
  PurchaseIntent,
  RecordLotBody,
  RecordQaBody,
  RecordShipmentBody,
  RegisterBody,
  ReviewBody,
  ReviseSolutionBody,
  SaleShare,
  Sales,
  SalesInterval,
  Scene,
  SceneListQuery,
  SessionReply,
  Shipment,
  Shipping,
  SignedTreeHead,
  Solution,
  SolutionListQuery,
  SolutionVersion,
  Statement,
  StatementQuery,
  StockAudit,
  SubmitBidBody,
  Supporter,
  SupportReply,
  TrialApplication,
  TrialDraw,
  TrialFeedback,
  TrialStats,
  UnreadCount,
  UpdateCommunityBody,
  UpdateProductBody,
  ValueShared,
  VoteReply,
} from './types';

export { ApiError } from './client';
export type * from './types';

const e = encodeURIComponent;
/** The header that makes an order or a payment safe to send again: one key per attempt, reused on retry. */
const idempotent = (key: string) => ({ 'idempotency-key': key });

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
  organisations: {
    list: (query?: PageQuery) => request<Page<Organisation>>('GET', '/organisations', { query }),
    get: (id: string) => request<Organisation>('GET', `/organisations/${e(id)}`),
    mine: () => request<{ items: Organisation[] }>('GET', '/me/organisations'),
  },
  chainGroups: {
    list: (query?: ChainGroupListQuery) => request<Page<ChainGroup>>('GET', '/chain-groups', { query }),
    get: (id: string) => request<ChainGroup>('GET', `/chain-groups/${e(id)}`),
    form: (body: FormChainGroupBody) => request<ChainGroup>('POST', '/chain-groups', { body }),
    putMember: (id: string, memberId: string, role: string) =>
      request<ChainGroup>('PUT', `/chain-groups/${e(id)}/members/${e(memberId)}`, { body: { role } }),
    removeMember: (id: string, memberId: string) => request<void>('DELETE', `/chain-groups/${e(id)}/members/${e(memberId)}`),
    putOrganisation: (id: string, organisationId: string, role: OrganisationRole) =>
      request<ChainGroup>('PUT', `/chain-groups/${e(id)}/organisations/${e(organisationId)}`, { body: { role } }),
    removeOrganisation: (id: string, organisationId: string) =>
      request<void>('DELETE', `/chain-groups/${e(id)}/organisations/${e(organisationId)}`),
    agreement: (id: string) => request<Agreement>('GET', `/chain-groups/${e(id)}/agreement`),
    versions: (id: string) => request<Page<AgreementVersion>>('GET', `/chain-groups/${e(id)}/agreement/versions`),
    propose: (id: string, terms: AgreementTerms) =>
      request<Agreement>('POST', `/chain-groups/${e(id)}/agreement/versions`, { body: terms }),
    accept: (id: string, version: number) =>
      request<Agreement>('POST', `/chain-groups/${e(id)}/agreement/versions/${version}/accept`),
  },
  polls: {
    list: (query?: PollListQuery) => request<Page<Poll>>('GET', '/polls', { query }),
    get: (id: string) => request<Poll>('GET', `/polls/${e(id)}`),
    create: (body: CreatePollBody) => request<Poll>('POST', '/polls', { body }),
    vote: (id: string, choices: string[]) => request<PollBallot>('PUT', `/polls/${e(id)}/ballot`, { body: { choices } }),
    withdraw: (id: string) => request<void>('DELETE', `/polls/${e(id)}/ballot`),
    results: (id: string, by?: string) => request<PollResults>('GET', `/polls/${e(id)}/results`, { query: { by } }),
    decide: (id: string, optionId: string) => request<Poll>('POST', `/polls/${e(id)}/decide`, { body: { optionId } }),
  },
  calls: {
    list: (query?: CallListQuery) => request<Page<Call>>('GET', '/calls', { query }),
    get: (id: string) => request<Call>('GET', `/calls/${e(id)}`),
    open: (body: OpenCallBody) => request<Call>('POST', '/calls', { body }),
    bids: (id: string) => request<{ items: Bid[] }>('GET', `/calls/${e(id)}/bids`),
    submitBid: (id: string, organisationId: string, body: SubmitBidBody) =>
      request<Bid>('PUT', `/calls/${e(id)}/bids/${e(organisationId)}`, { body }),
    withdrawBid: (id: string, organisationId: string) => request<void>('DELETE', `/calls/${e(id)}/bids/${e(organisationId)}`),
    comparison: (id: string) => request<Comparison>('GET', `/calls/${e(id)}/comparison`),
    award: (id: string, body: AwardBody) => request<AwardResult>('POST', `/calls/${e(id)}/award`, { body }),
    myBids: (query?: PageQuery) => request<Page<MyBid>>('GET', '/me/bids', { query }),
  },
  products: {
    list: (query?: ProductListQuery) => request<Page<Product>>('GET', '/products', { query }),
    get: (id: string) => request<Product>('GET', `/products/${e(id)}`),
    create: (body: CreateProductBody) => request<Product>('POST', '/products', { body }),
    update: (id: string, body: UpdateProductBody) => request<Product>('PATCH', `/products/${e(id)}`, { body }),
    /** Who co-created, made and delivered it: log entries with the names that go with them. */
    trace: (id: string) => request<ProductTrace>('GET', `/products/${e(id)}/trace`),
    /** What its sales have shared so far, by purpose and role, net of refunds (public). */
    valueShared: (id: string) => request<ValueShared>('GET', `/products/${e(id)}/value-shared`),
  },
  /** Production lots (批次) makers record against their awarded bids: QA, shipments, delivery. */
  lots: {
    /** A product's lots, newest first, with QA result, units fulfilled and shipments. */
    list: (productId: string, query?: LotListQuery) => request<Page<Lot>>('GET', `/products/${e(productId)}/lots`, { query }),
    get: (id: string) => request<Lot>('GET', `/lots/${e(id)}`),
    record: (productId: string, body: RecordLotBody) => request<Lot>('POST', `/products/${e(productId)}/lots`, { body }),
    recordQa: (id: string, body: RecordQaBody) => request<Lot>('POST', `/lots/${e(id)}/qa`, { body }),
    ship: (id: string, body: RecordShipmentBody) => request<Shipment>('POST', `/lots/${e(id)}/shipments`, { body }),
    delivered: (shipmentId: string) => request<Shipment>('POST', `/shipments/${e(shipmentId)}/delivered`),
  },
  campaigns: {
    list: (query?: CampaignListQuery) => request<Page<Campaign>>('GET', '/campaigns', { query }),
    get: (id: string) => request<Campaign>('GET', `/campaigns/${e(id)}`),
    /** State, units left, the tier in force and the server's `now`: cheap enough to poll during a sale. */
    stock: (id: string) => request<CampaignStock>('GET', `/campaigns/${e(id)}/stock`),
    create: (body: CreateCampaignBody) => request<Campaign>('POST', '/campaigns', { body }),
    launch: (id: string) => request<Campaign>('POST', `/campaigns/${e(id)}/launch`),
    end: (id: string) => request<Campaign>('POST', `/campaigns/${e(id)}/end`),
    settle: (id: string) => request<Campaign>('POST', `/campaigns/${e(id)}/settle`),
    sales: (id: string, interval: SalesInterval) => request<Sales>('GET', `/campaigns/${e(id)}/sales`, { query: { interval } }),
    audit: (id: string) => request<StockAudit>('GET', `/campaigns/${e(id)}/audit`),
    orders: (id: string, query?: Omit<OrderListQuery, 'campaignId'>) =>
      request<Page<Order>>('GET', `/campaigns/${e(id)}/orders`, { query }),
  },
  orders: {
    /** Reserves units of a live campaign; `key` is the attempt's Idempotency-Key. */
    place: (campaignId: string, body: PlaceOrderBody, key: string) =>
      request<Order>('POST', `/campaigns/${e(campaignId)}/orders`, { body, headers: idempotent(key) }),
    mine: (query?: OrderListQuery) => request<Page<Order>>('GET', '/me/orders', { query }),
    get: (id: string) => request<Order>('GET', `/orders/${e(id)}`),
    cancel: (id: string) => request<Order>('POST', `/orders/${e(id)}/cancel`),
    setShipping: (id: string, body: Shipping) => request<Order>('PUT', `/orders/${e(id)}/shipping`, { body }),
    complete: (id: string) => request<Order>('POST', `/orders/${e(id)}/complete`),
    fulfil: (id: string, body: FulfilBody) => request<Order>('POST', `/orders/${e(id)}/fulfil`, { body }),
    deliver: (id: string) => request<Order>('POST', `/orders/${e(id)}/deliver`),
    fulfilmentQueue: (query?: FulfilmentQueueQuery) => request<Page<Order>>('GET', '/fulfilment/orders', { query }),
    feedback: (id: string, body: FeedbackBody) => request<TrialFeedback>('POST', `/orders/${e(id)}/feedback`, { body }),
  },
  trials: {
    apply: (campaignId: string, body: ApplyBody) =>
      request<TrialApplication>('POST', `/campaigns/${e(campaignId)}/trial/applications`, { body }),
    mine: (campaignId: string) => request<TrialApplication>('GET', `/campaigns/${e(campaignId)}/trial/application`),
    withdraw: (campaignId: string) => request<void>('DELETE', `/campaigns/${e(campaignId)}/trial/application`),
    applications: (campaignId: string, query?: PageQuery & { state?: TrialApplication['state'] }) =>
      request<Page<TrialApplication>>('GET', `/campaigns/${e(campaignId)}/trial/applications`, { query }),
    select: (campaignId: string, applicationIds: string[]) =>
      request<Page<TrialApplication>>('POST', `/campaigns/${e(campaignId)}/trial/select`, { body: { applicationIds } }),
    draw: (campaignId: string, body: DrawBody) => request<TrialDraw>('POST', `/campaigns/${e(campaignId)}/trial/draw`, { body }),
    draws: (campaignId: string) => request<{ items: TrialDraw[] }>('GET', `/campaigns/${e(campaignId)}/trial/draws`),
    feedback: (campaignId: string, query?: PageQuery) =>
      request<Page<TrialFeedback>>('GET', `/campaigns/${e(campaignId)}/trial/feedback`, { query }),
    stats: (campaignId: string) => request<TrialStats>('GET', `/campaigns/${e(campaignId)}/trial/stats`),
  },
  payments: {
    providers: () => request<{ items: ProviderInfo[] }>('GET', '/payments/providers'),
    /** Pays a pending order; `key` is the attempt's Idempotency-Key. */
    create: (orderId: string, body: CreatePaymentBody, key: string) =>
      request<Payment>('POST', `/orders/${e(orderId)}/payments`, { body, headers: idempotent(key) }),
    ofOrder: (orderId: string) => request<{ items: Payment[] }>('GET', `/orders/${e(orderId)}/payments`),
    get: (id: string) => request<Payment>('GET', `/payments/${e(id)}`),
    list: (query?: PageQuery & { state?: PaymentState; provider?: ProviderName }) =>
      request<Page<Payment>>('GET', '/payments', { query }),
    confirm: (id: string) => request<Payment>('POST', `/payments/${e(id)}/confirm`),
    reject: (id: string, reason?: string) =>
      request<Payment>('POST', `/payments/${e(id)}/reject`, { body: reason ? { reason } : {} }),
  },
  notifications: {
    list: (query?: PageQuery & { unread?: 'true' | 'false' }) =>
      request<Page<Notification>>('GET', '/me/notifications', { query }),
    unread: () => request<UnreadCount>('GET', '/me/notifications/unread'),
    markRead: (upTo?: string) => request<UnreadCount>('POST', '/me/notifications/read', { body: upTo ? { upTo } : {} }),
  },
  /** The contribution log: signed tree heads, entries and the proofs the browser checks itself. */
  log: {
    publicKey: () => request<LogPublicKey>('GET', '/log/public-key'),
    head: () => request<SignedTreeHead>('GET', '/log/head'),
    /** Every head ever signed, newest first. */
    heads: (query?: PageQuery) => request<Page<SignedTreeHead>>('GET', '/log/heads', { query }),
    /** Entries `start` to `end`, both included. */
    entries: (start: number, end: number) =>
      request<{ entries: LoggedEntry[] }>('GET', '/log/entries', { query: { start, end } }),
    inclusion: (index: number, treeSize: number) =>
      request<InclusionProof>('GET', '/log/proof/inclusion', { query: { index, treeSize } }),
    consistency: (first: number, second: number) =>
      request<ConsistencyProof>('GET', '/log/proof/consistency', { query: { first, second } }),
    /** A member's entries, as actor or credited, newest first. */
    contributions: (memberId: string, query?: ContributionsQuery) =>
      request<Page<Contribution>>('GET', `/members/${e(memberId)}/contributions`, { query }),
  },
  /** The shared-value ledger: a party's earnings, sales and statement; the operator's overview and payouts. */
  ledger: {
    earnings: (party: PartyRef) => request<Earnings>('GET', `${partyPath(party)}/earnings`),
    /** The sales the party has a part in, newest first, each with how its part was computed. */
    sales: (party: PartyRef, query?: PageQuery) => request<Page<SaleShare>>('GET', `${partyPath(party)}/sales`, { query }),
    statement: (party: PartyRef, query?: StatementQuery) => request<Statement>('GET', `${partyPath(party)}/statement`, { query }),
    /** The statement as CSV, for a download link (every line the filters select). */
    statementCsvUrl: (party: PartyRef, query?: Omit<StatementQuery, 'limit' | 'cursor'>) =>
      apiUrl(`${partyPath(party)}/statement.csv`, query),
    overview: () => request<LedgerOverview>('GET', '/ledger/overview'),
    batches: (query?: PageQuery) => request<Page<PayoutBatch>>('GET', '/ledger/payout-batches', { query }),
    batch: (id: string) => request<PayoutBatchDetail>('GET', `/ledger/payout-batches/${e(id)}`),
    /** Pays every available balance at or above the threshold (minor units); 409 when nobody qualifies. */
    createBatch: (body: CreatePayoutBatchBody) => request<PayoutBatchDetail>('POST', '/ledger/payout-batches', { body }),
    /** The batch as CSV for the bank, for a download link. */
    batchCsvUrl: (id: string) => apiUrl(`/ledger/payout-batches/${e(id)}/payouts.csv`),
    markPaid: (id: string) => request<Payout>('POST', `/ledger/payouts/${e(id)}/paid`),
    markFailed: (id: string, reason: string) => request<Payout>('POST', `/ledger/payouts/${e(id)}/failed`, { body: { reason } }),
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

/** Whose ledger accounts: a member, an organisation (or the platform, for operators). */
export interface PartyRef {
  kind: PartyKind;
  id: string;
}

function partyPath(party: PartyRef): string {
  return `/ledger/parties/${e(party.kind)}/${e(party.id)}`;
}
