/**
 * Types of every request and response, inferred from the server's Zod contracts. `import type`
 * only: the schemas stay on the server and no zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type * as accounts from '../../../src/contracts/accounts.js';
import type * as bids from '../../../src/contracts/bids.js';
import type * as campaigns from '../../../src/contracts/campaigns.js';
import type * as chainGroups from '../../../src/contracts/chain-groups.js';
import type * as comments from '../../../src/contracts/comments.js';
import type * as common from '../../../src/contracts/common.js';
import type * as communities from '../../../src/contracts/communities.js';
import type * as ledger from '../../../src/contracts/ledger.js';
import type * as log from '../../../src/contracts/log.js';
import type * as lots from '../../../src/contracts/lots.js';
import type * as members from '../../../src/contracts/members.js';
import type * as needs from '../../../src/contracts/needs.js';
import type * as notifications from '../../../src/contracts/notifications.js';
import type * as organisations from '../../../src/contracts/organisations.js';
import type * as payments from '../../../src/contracts/payments.js';
import type * as polls from '../../../src/contracts/polls.js';
import type * as products from '../../../src/contracts/products.js';
import type * as scenes from '../../../src/contracts/scenes.js';
import type * as solutions from '../../../src/contracts/solutions.js';

export type Money = z.infer<typeof common.Money>;
export type Problem = z.infer<typeof common.Problem>;
export type FieldProblem = z.infer<typeof common.FieldProblem>;
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** Queries: the parsed shape, every key optional (coerced inputs infer `unknown`). */
export type PageQuery = Partial<z.infer<typeof common.PageQuery>>;

export type Role = z.infer<typeof accounts.Role>;
export type Member = z.infer<typeof accounts.Member>;
export type Me = z.infer<typeof accounts.Me>;
export type MemberReply = z.infer<typeof accounts.MemberReply>;
export type SessionReply = z.infer<typeof accounts.SessionReply>;
export type RegisterBody = z.input<typeof accounts.RegisterBody>;
export type LoginBody = z.input<typeof accounts.LoginBody>;
export type MemberRef = z.infer<typeof members.MemberRef>;

export type Community = z.infer<typeof communities.Community>;
export type Milestone = z.infer<typeof communities.Milestone>;
export type CreateCommunityBody = z.input<typeof communities.CreateCommunityBody>;
export type UpdateCommunityBody = z.input<typeof communities.UpdateCommunityBody>;
export type MembershipReply = z.infer<typeof communities.MembershipReply>;

export type Scene = z.infer<typeof scenes.Scene>;
export type CreateSceneBody = z.input<typeof scenes.CreateSceneBody>;
export type SceneListQuery = Partial<z.infer<typeof scenes.SceneListQuery>>;

export type NeedStage = z.infer<typeof needs.NeedStage>;
export type Need = z.infer<typeof needs.Need>;
export type PurchaseIntent = z.infer<typeof needs.PurchaseIntent>;
export type CreateNeedBody = z.input<typeof needs.CreateNeedBody>;
export type NeedListQuery = Partial<z.infer<typeof needs.NeedListQuery>>;
export type SupportBody = z.input<typeof needs.SupportBody>;
export type SupportReply = z.infer<typeof needs.SupportReply>;
export type ReviewBody = z.input<typeof needs.ReviewBody>;
export type MergeBody = z.input<typeof needs.MergeBody>;
export type AdvanceBody = z.input<typeof needs.AdvanceBody>;
export type Supporter = z.infer<typeof needs.Supporter>;

export type Solution = z.infer<typeof solutions.Solution>;
export type SolutionVersion = z.infer<typeof solutions.SolutionVersion>;
export type CreateSolutionBody = z.input<typeof solutions.CreateSolutionBody>;
export type ReviseSolutionBody = z.input<typeof solutions.ReviseSolutionBody>;
export type SolutionListQuery = Partial<z.infer<typeof solutions.SolutionListQuery>>;
export type VoteReply = z.infer<typeof solutions.VoteReply>;

export type Comment = z.infer<typeof comments.Comment>;
export type CreateCommentBody = z.input<typeof comments.CreateCommentBody>;

export type Organisation = z.infer<typeof organisations.Organisation>;

export type ChainGroup = z.infer<typeof chainGroups.ChainGroup>;
export type ChainGroupMember = z.infer<typeof chainGroups.ChainGroupMember>;
export type ChainGroupOrganisation = z.infer<typeof chainGroups.ChainGroupOrganisation>;
export type OrganisationRole = z.infer<typeof chainGroups.OrganisationRole>;
export type FormChainGroupBody = z.input<typeof chainGroups.FormChainGroupBody>;
export type ChainGroupListQuery = Partial<z.infer<typeof chainGroups.ChainGroupListQuery>>;
export type AgreementTerms = z.infer<typeof chainGroups.AgreementTerms>;
export type Agreement = z.infer<typeof chainGroups.Agreement>;
export type AgreementVersion = z.infer<typeof chainGroups.AgreementVersion>;
export type AgreementParty = z.infer<typeof chainGroups.AgreementParty>;

export type Poll = z.infer<typeof polls.Poll>;
export type PollState = z.infer<typeof polls.PollState>;
export type PollBallot = z.infer<typeof polls.MyBallot>;
export type PollResults = z.infer<typeof polls.PollResults>;
export type CreatePollBody = z.input<typeof polls.CreatePollBody>;
export type PollListQuery = Partial<z.infer<typeof polls.PollListQuery>>;

export type Call = z.infer<typeof bids.Call>;
export type CallState = z.infer<typeof bids.CallState>;
export type Bid = z.infer<typeof bids.Bid>;
export type BidStatus = z.infer<typeof bids.BidStatus>;
export type MyBid = z.infer<typeof bids.MyBid>;
export type OpenCallBody = z.input<typeof bids.OpenCallBody>;
export type SubmitBidBody = z.input<typeof bids.SubmitBidBody>;
export type CallListQuery = Partial<z.infer<typeof bids.CallListQuery>>;
export type Comparison = z.infer<typeof bids.Comparison>;
export type ComparedBid = z.infer<typeof bids.ComparedBid>;
export type AwardBody = z.input<typeof bids.AwardBody>;
export type AwardResult = z.infer<typeof bids.AwardResult>;

export type Product = z.infer<typeof products.Product>;
export type ProductSpec = z.infer<typeof products.ProductSpec>;
export type Sku = z.infer<typeof products.Sku>;
export type CreateProductBody = z.input<typeof products.CreateProductBody>;
export type UpdateProductBody = z.input<typeof products.UpdateProductBody>;
export type ProductListQuery = Partial<z.infer<typeof products.ProductListQuery>>;

export type QaResult = z.infer<typeof lots.QaResult>;
export type Lot = z.infer<typeof lots.Lot>;
export type Shipment = z.infer<typeof lots.Shipment>;
export type RecordLotBody = z.input<typeof lots.RecordLotBody>;
export type RecordQaBody = z.input<typeof lots.RecordQaBody>;
export type RecordShipmentBody = z.input<typeof lots.RecordShipmentBody>;
export type LotListQuery = Partial<z.infer<typeof lots.LotListQuery>>;

export type CampaignMode = z.infer<typeof campaigns.CampaignMode>;
export type CampaignState = z.infer<typeof campaigns.CampaignState>;
export type Campaign = z.infer<typeof campaigns.Campaign>;
export type CampaignStock = z.infer<typeof campaigns.Stock>;
export type PriceTier = z.infer<typeof campaigns.PriceTier>;
export type CreateCampaignBody = z.input<typeof campaigns.CreateCampaignBody>;
export type CampaignListQuery = Partial<z.infer<typeof campaigns.CampaignListQuery>>;
export type SalesInterval = z.infer<typeof campaigns.SalesQuery>['interval'];
export type Sales = z.infer<typeof campaigns.Sales>;
export type SalesPoint = z.infer<typeof campaigns.SalesPoint>;
export type StockAudit = z.infer<typeof campaigns.StockAudit>;
export type OrderState = z.infer<typeof campaigns.OrderState>;
export type Order = z.infer<typeof campaigns.Order>;
export type Shipping = z.infer<typeof campaigns.Shipping>;
export type PlaceOrderBody = z.input<typeof campaigns.PlaceOrderBody>;
export type OrderListQuery = Partial<z.infer<typeof campaigns.OrderListQuery>>;
export type FulfilBody = z.input<typeof campaigns.FulfilBody>;
export type FulfilmentQueueQuery = Partial<z.infer<typeof campaigns.FulfilmentQueueQuery>>;
export type TrialApplication = z.infer<typeof campaigns.TrialApplication>;
export type ApplyBody = z.input<typeof campaigns.ApplyBody>;
export type DrawBody = z.input<typeof campaigns.DrawBody>;
export type TrialDraw = z.infer<typeof campaigns.Draw>;
export type FeedbackBody = z.input<typeof campaigns.FeedbackBody>;
export type TrialFeedback = z.infer<typeof campaigns.Feedback>;
export type TrialStats = z.infer<typeof campaigns.TrialStats>;

export type ProviderName = z.infer<typeof payments.ProviderName>;
export type PaymentState = z.infer<typeof payments.PaymentState>;
export type Payment = z.infer<typeof payments.Payment>;
export type ProviderInfo = z.infer<typeof payments.ProviderInfo>;
export type CreatePaymentBody = z.input<typeof payments.CreatePaymentBody>;

export type NotificationKind = z.infer<typeof notifications.NotificationKind>;
export type Notification = z.infer<typeof notifications.Notification>;
export type UnreadCount = z.infer<typeof notifications.UnreadCount>;

export type LogEntry = z.infer<typeof log.LogEntry>;
export type LogPublicKey = z.infer<typeof log.LogPublicKey>;
export type SignedTreeHead = z.infer<typeof log.SignedTreeHead>;
export type LoggedEntry = z.infer<typeof log.LoggedEntry>;
export type InclusionProof = z.infer<typeof log.InclusionProof>;
export type ConsistencyProof = z.infer<typeof log.ConsistencyProof>;
export type Contribution = z.infer<typeof log.Contribution>;
export type ContributionsQuery = Partial<z.infer<typeof log.ContributionsQuery>>;
export type TraceStep = z.infer<typeof log.TraceStep>;
export type ProductTrace = z.infer<typeof log.ProductTrace>;

export type PartyKind = z.infer<typeof ledger.PartyKind>;
export type AccountKind = z.infer<typeof ledger.AccountKind>;
export type LinePurpose = z.infer<typeof ledger.LinePurpose>;
export type LedgerParty = z.infer<typeof ledger.PartyRef>;
export type LedgerAccount = z.infer<typeof ledger.Account>;
export type StatementLine = z.infer<typeof ledger.StatementLine>;
export type StatementQuery = Partial<z.infer<typeof ledger.StatementQuery>>;
export type Statement = z.infer<typeof ledger.Statement>;
export type Earnings = z.infer<typeof ledger.Earnings>;
export type ContributionWeight = z.infer<typeof ledger.ContributionWeight>;
export type RoleShare = z.infer<typeof ledger.RoleShare>;
export type SaleShare = z.infer<typeof ledger.SaleShare>;
export type PayoutState = z.infer<typeof ledger.PayoutState>;
export type Payout = z.infer<typeof ledger.Payout>;
export type PayoutBatch = z.infer<typeof ledger.PayoutBatch>;
export type PayoutBatchDetail = z.infer<typeof ledger.PayoutBatchDetail>;
export type CreatePayoutBatchBody = z.input<typeof ledger.CreatePayoutBatchBody>;
export type LedgerOverview = z.infer<typeof ledger.Overview>;
export type ValueShared = z.infer<typeof ledger.ValueShared>;

/** All the stages, in the order a need goes through them (for filters and badges). */
export const NEED_STAGES = [
  'open',
  'qualified',
  'in_review',
  'accepted',
  'declined',
  'in_development',
  'launched',
  'delivered',
  'expired',
  'merged',
] as const satisfies readonly NeedStage[];
/** Fails to compile when the contract gains a stage that the list above lacks. */
export type MissingStages = Exclude<NeedStage, (typeof NEED_STAGES)[number]> extends never ? true : never;
const _allStages: MissingStages = true;
void _allStages;
