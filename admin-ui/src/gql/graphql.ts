/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AdCopyInput = {
  body: string;
  callToAction: CallToAction;
  description?: string | null | undefined;
  headline: string;
};

export type AudienceInput = {
  ageMax?: number;
  ageMin?: number;
  cities?: Array<NamedTargetInput> | null | undefined;
  countries: Array<string>;
  interests?: Array<NamedTargetInput> | null | undefined;
  regions?: Array<NamedTargetInput> | null | undefined;
};

export type CallToAction =
  | 'APPLY_NOW'
  | 'BOOK_NOW'
  | 'CONTACT_US'
  | 'DOWNLOAD'
  | 'GET_QUOTE'
  | 'LEARN_MORE'
  | 'SHOP_NOW'
  | 'SIGN_UP'
  | 'SUBSCRIBE';

export type CampaignObjective =
  | 'CONVERSIONS'
  | 'LEADS'
  | 'TRAFFIC';

export type CampaignStatus =
  | 'ACTIVE'
  | 'COMPLETED'
  | 'DRAFT'
  | 'ERROR'
  | 'LAUNCHING'
  | 'PAUSED';

export type CreateCampaignInput = {
  adCopy?: AdCopyInput | null | undefined;
  campaignName: string;
  creativeIds: Array<string | number>;
  dailyBudgetCents: number;
  destinationUrl: string;
  integrationId: string | number;
  leadFormId?: string | null | undefined;
  niche?: string | null | undefined;
  objective: CampaignObjective;
  pixelId?: string | null | undefined;
  targetAudience: AudienceInput;
};

export type CreditEntryKind =
  | 'COMMIT'
  | 'GRANT'
  | 'REFUND'
  | 'RESERVE';

export type GenerateAdCopyInput = {
  audience: AudienceInput;
  niche: string;
  objective: CampaignObjective;
  variants?: number | null | undefined;
};

export type IntegrationStatus =
  | 'INVALID'
  | 'UNVERIFIED'
  | 'VERIFIED';

export type NamedTargetInput = {
  id: string | number;
  name: string;
};

export type Provider =
  | 'META_ADS'
  | 'SANDBOX';

export type Role =
  | 'CHIEF_ARCHITECT'
  | 'MEMBER';

export type TargetingKind =
  | 'CITY'
  | 'INTEREST'
  | 'REGION';

export type TenantsQueryVariables = Exact<{ [key: string]: never; }>;


export type TenantsQuery = { tenants: Array<{ id: string, name: string, slug: string, createdAt: string }> };

export type UsersQueryVariables = Exact<{
  tenantId?: string | number | null | undefined;
}>;


export type UsersQuery = { users: Array<{ id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } }> };

export type CreateUserMutationVariables = Exact<{
  tenantId: string | number;
  email: string;
  password: string;
  role: Role;
}>;


export type CreateUserMutation = { createUser: { id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } } };

export type AuditEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, action: string, target: string | null, outcome: string, at: string, actor: { id: string, email: string, role: Role, tenant: { id: string, name: string } } | null } }> } };

export type PerformanceFieldsFragment = { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null };

export type CampaignRowFragment = { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } };

export type CampaignFullFragment = { leadFormId: string | null, pixelId: string | null, metaAdsetId: string | null, metaAdId: string | null, id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, targetAudience: { countries: Array<string>, ageMin: number, ageMax: number, regions: Array<{ id: string, name: string }>, cities: Array<{ id: string, name: string }>, interests: Array<{ id: string, name: string }> }, adCopy: { headline: string, body: string, description: string | null, callToAction: CallToAction } | null, creatives: Array<{ id: string, fileName: string, thumbnailUrl: string, width: number, height: number }>, remoteAds: Array<{ creativeId: string, remoteCreativeId: string | null, remoteAdId: string | null }>, snapshots: Array<{ capturedAt: string, impressions: number, clicks: number, spendCents: number, leads: number }>, owner: { id: string, email: string }, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } };

export type CampaignsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: CampaignStatus | null | undefined;
}>;


export type CampaignsQuery = { campaigns: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } }> } };

export type AllCampaignsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AllCampaignsQuery = { campaigns: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, owner: { id: string, email: string, tenant: { id: string, name: string } }, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } }> } };

export type CampaignQueryVariables = Exact<{
  id: string | number;
}>;


export type CampaignQuery = { campaign: { leadFormId: string | null, pixelId: string | null, metaAdsetId: string | null, metaAdId: string | null, id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, targetAudience: { countries: Array<string>, ageMin: number, ageMax: number, regions: Array<{ id: string, name: string }>, cities: Array<{ id: string, name: string }>, interests: Array<{ id: string, name: string }> }, adCopy: { headline: string, body: string, description: string | null, callToAction: CallToAction } | null, creatives: Array<{ id: string, fileName: string, thumbnailUrl: string, width: number, height: number }>, remoteAds: Array<{ creativeId: string, remoteCreativeId: string | null, remoteAdId: string | null }>, snapshots: Array<{ capturedAt: string, impressions: number, clicks: number, spendCents: number, leads: number }>, owner: { id: string, email: string }, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } | null };

export type GenerateAdCopyMutationVariables = Exact<{
  input: GenerateAdCopyInput;
}>;


export type GenerateAdCopyMutation = { generateAdCopy: Array<{ headline: string, body: string, description: string | null, callToAction: CallToAction }> };

export type CreateCampaignMutationVariables = Exact<{
  input: CreateCampaignInput;
}>;


export type CreateCampaignMutation = { createCampaign: { leadFormId: string | null, pixelId: string | null, metaAdsetId: string | null, metaAdId: string | null, id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, targetAudience: { countries: Array<string>, ageMin: number, ageMax: number, regions: Array<{ id: string, name: string }>, cities: Array<{ id: string, name: string }>, interests: Array<{ id: string, name: string }> }, adCopy: { headline: string, body: string, description: string | null, callToAction: CallToAction } | null, creatives: Array<{ id: string, fileName: string, thumbnailUrl: string, width: number, height: number }>, remoteAds: Array<{ creativeId: string, remoteCreativeId: string | null, remoteAdId: string | null }>, snapshots: Array<{ capturedAt: string, impressions: number, clicks: number, spendCents: number, leads: number }>, owner: { id: string, email: string }, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type UpdateCampaignMutationVariables = Exact<{
  id: string | number;
  input: CreateCampaignInput;
}>;


export type UpdateCampaignMutation = { updateCampaign: { leadFormId: string | null, pixelId: string | null, metaAdsetId: string | null, metaAdId: string | null, id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, targetAudience: { countries: Array<string>, ageMin: number, ageMax: number, regions: Array<{ id: string, name: string }>, cities: Array<{ id: string, name: string }>, interests: Array<{ id: string, name: string }> }, adCopy: { headline: string, body: string, description: string | null, callToAction: CallToAction } | null, creatives: Array<{ id: string, fileName: string, thumbnailUrl: string, width: number, height: number }>, remoteAds: Array<{ creativeId: string, remoteCreativeId: string | null, remoteAdId: string | null }>, snapshots: Array<{ capturedAt: string, impressions: number, clicks: number, spendCents: number, leads: number }>, owner: { id: string, email: string }, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type DeleteCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCampaignMutation = { deleteCampaign: boolean };

export type PreviewLaunchMutationVariables = Exact<{
  id: string | number;
}>;


export type PreviewLaunchMutation = { previewLaunch: { ok: boolean, creditCost: number, creditBalance: number, checks: Array<{ name: string, ok: boolean, message: string }>, adCopy: { headline: string, body: string, description: string | null, callToAction: CallToAction } | null } };

export type LaunchCampaignMutationVariables = Exact<{
  id: string | number;
  idempotencyKey?: string | null | undefined;
}>;


export type LaunchCampaignMutation = { launchCampaign: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type PauseCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseCampaignMutation = { pauseCampaign: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type ResumeCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeCampaignMutation = { resumeCampaign: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type CampaignUpdatedSubscriptionVariables = Exact<{
  id?: string | number | null | undefined;
}>;


export type CampaignUpdatedSubscription = { campaignUpdated: { id: string, campaignName: string, objective: CampaignObjective, dailyBudgetCents: number, status: CampaignStatus, provider: Provider, errorMessage: string | null, destinationUrl: string, metaCampaignId: string | null, createdAt: string, updatedAt: string, snapshots: Array<{ capturedAt: string, impressions: number, clicks: number, spendCents: number, leads: number }>, integration: { id: string, adAccountId: string, accountName: string | null, currency: string | null }, performance: { currency: string, impressions: number, clicks: number, spendCents: number, leads: number, ctr: number, costPerLeadCents: number | null, updatedAt: string | null } } };

export type CreativeFieldsFragment = { id: string, fileName: string, contentType: string, byteSize: number, width: number, height: number, sha256: string, url: string, thumbnailUrl: string, createdAt: string };

export type CreativesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CreativesQuery = { creatives: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, fileName: string, contentType: string, byteSize: number, width: number, height: number, sha256: string, url: string, thumbnailUrl: string, createdAt: string } }> } };

export type UploadCreativeMutationVariables = Exact<{
  file: File;
}>;


export type UploadCreativeMutation = { uploadCreative: { id: string, fileName: string, contentType: string, byteSize: number, width: number, height: number, sha256: string, url: string, thumbnailUrl: string, createdAt: string } };

export type DeleteCreativeMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCreativeMutation = { deleteCreative: boolean };

export type CreditBalanceQueryVariables = Exact<{ [key: string]: never; }>;


export type CreditBalanceQuery = { creditBalance: number };

export type CreditsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CreditsQuery = { creditBalance: number, creditLedger: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, delta: number, kind: CreditEntryKind, reason: string | null, campaignId: string | null, createdAt: string } }> } };

export type AgentsQueryVariables = Exact<{ [key: string]: never; }>;


export type AgentsQuery = { agents: Array<{ key: string, name: string, description: string, creditCost: number, enabled: boolean, providers: Array<Provider> }> };

export type GrantCreditsMutationVariables = Exact<{
  userId: string | number;
  amount: number;
  reason: string;
}>;


export type GrantCreditsMutation = { grantCredits: { id: string, delta: number, kind: CreditEntryKind, reason: string | null, createdAt: string } };

export type SetTenantAgentMutationVariables = Exact<{
  tenantId: string | number;
  agentKey: string;
  enabled: boolean;
  providers: Array<Provider> | Provider;
}>;


export type SetTenantAgentMutation = { setTenantAgent: { key: string, name: string, description: string, creditCost: number, enabled: boolean, providers: Array<Provider> } };

export type UserFieldsFragment = { id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } } };

export type SignInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type SignInMutation = { signIn: { token: string, user: { id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } } } };

export type SignUpMutationVariables = Exact<{
  email: string;
  password: string;
  tenantName: string;
}>;


export type SignUpMutation = { signUp: { token: string, user: { id: string, email: string, role: Role, createdAt: string, tenant: { id: string, name: string, slug: string } } } };

export type IntegrationFieldsFragment = { id: string, provider: Provider, adAccountId: string, accountName: string | null, currency: string | null, tokenLast4: string, status: IntegrationStatus, lastVerifiedAt: string | null, lastError: string | null, pageId: string | null, createdAt: string, updatedAt: string };

export type IntegrationsQueryVariables = Exact<{ [key: string]: never; }>;


export type IntegrationsQuery = { integrations: Array<{ id: string, provider: Provider, adAccountId: string, accountName: string | null, currency: string | null, tokenLast4: string, status: IntegrationStatus, lastVerifiedAt: string | null, lastError: string | null, pageId: string | null, createdAt: string, updatedAt: string }> };

export type SaveIntegrationMutationVariables = Exact<{
  provider: Provider;
  accessToken: string;
  adAccountId: string;
  pageId?: string | null | undefined;
}>;


export type SaveIntegrationMutation = { saveIntegration: { id: string, provider: Provider, adAccountId: string, accountName: string | null, currency: string | null, tokenLast4: string, status: IntegrationStatus, lastVerifiedAt: string | null, lastError: string | null, pageId: string | null, createdAt: string, updatedAt: string } };

export type TestIntegrationMutationVariables = Exact<{
  id: string | number;
}>;


export type TestIntegrationMutation = { testIntegration: { ok: boolean, message: string, integration: { id: string, provider: Provider, adAccountId: string, accountName: string | null, currency: string | null, tokenLast4: string, status: IntegrationStatus, lastVerifiedAt: string | null, lastError: string | null, pageId: string | null, createdAt: string, updatedAt: string }, pages: Array<{ id: string, name: string }> } };

export type DeleteIntegrationMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteIntegrationMutation = { deleteIntegration: boolean };

export type PlatformAssetsQueryVariables = Exact<{
  integrationId: string | number;
}>;


export type PlatformAssetsQuery = { platformAssets: { pages: Array<{ id: string, name: string }>, pixels: Array<{ id: string, name: string, pageId: string | null }>, leadForms: Array<{ id: string, name: string, pageId: string | null }> } };

export type SearchTargetingQueryVariables = Exact<{
  integrationId: string | number;
  kind: TargetingKind;
  query: string;
  countryCode?: string | null | undefined;
}>;


export type SearchTargetingQuery = { searchTargeting: Array<{ id: string, name: string, kind: TargetingKind, countryCode: string | null, audienceSizeLower: number | null, audienceSizeUpper: number | null }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const PerformanceFieldsFragmentDoc = new TypedDocumentString(`
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
    `, {"fragmentName":"PerformanceFields"}) as unknown as TypedDocumentString<PerformanceFieldsFragment, unknown>;
export const CampaignRowFragmentDoc = new TypedDocumentString(`
    fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}`, {"fragmentName":"CampaignRow"}) as unknown as TypedDocumentString<CampaignRowFragment, unknown>;
export const CampaignFullFragmentDoc = new TypedDocumentString(`
    fragment CampaignFull on Campaign {
  ...CampaignRow
  leadFormId
  pixelId
  metaAdsetId
  metaAdId
  targetAudience {
    countries
    ageMin
    ageMax
    regions {
      id
      name
    }
    cities {
      id
      name
    }
    interests {
      id
      name
    }
  }
  adCopy {
    headline
    body
    description
    callToAction
  }
  creatives {
    id
    fileName
    thumbnailUrl
    width
    height
  }
  remoteAds {
    creativeId
    remoteCreativeId
    remoteAdId
  }
  snapshots(last: 48) {
    capturedAt
    impressions
    clicks
    spendCents
    leads
  }
  owner {
    id
    email
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`, {"fragmentName":"CampaignFull"}) as unknown as TypedDocumentString<CampaignFullFragment, unknown>;
export const CreativeFieldsFragmentDoc = new TypedDocumentString(`
    fragment CreativeFields on Creative {
  id
  fileName
  contentType
  byteSize
  width
  height
  sha256
  url
  thumbnailUrl
  createdAt
}
    `, {"fragmentName":"CreativeFields"}) as unknown as TypedDocumentString<CreativeFieldsFragment, unknown>;
export const UserFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}
    `, {"fragmentName":"UserFields"}) as unknown as TypedDocumentString<UserFieldsFragment, unknown>;
export const IntegrationFieldsFragmentDoc = new TypedDocumentString(`
    fragment IntegrationFields on Integration {
  id
  provider
  adAccountId
  accountName
  currency
  tokenLast4
  status
  lastVerifiedAt
  lastError
  pageId
  createdAt
  updatedAt
}
    `, {"fragmentName":"IntegrationFields"}) as unknown as TypedDocumentString<IntegrationFieldsFragment, unknown>;
export const TenantsDocument = new TypedDocumentString(`
    query Tenants {
  tenants {
    id
    name
    slug
    createdAt
  }
}
    `) as unknown as TypedDocumentString<TenantsQuery, TenantsQueryVariables>;
export const UsersDocument = new TypedDocumentString(`
    query Users($tenantId: ID) {
  users(tenantId: $tenantId) {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}`) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($tenantId: ID!, $email: String!, $password: String!, $role: Role!) {
  createUser(tenantId: $tenantId, email: $email, password: $password, role: $role) {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}`) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($first: Int, $after: String) {
  auditEvents(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        action
        target
        outcome
        at
        actor {
          id
          email
          role
          tenant {
            id
            name
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const CampaignsDocument = new TypedDocumentString(`
    query Campaigns($first: Int, $after: String, $status: CampaignStatus) {
  campaigns(first: $first, after: $after, status: $status) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...CampaignRow
      }
    }
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<CampaignsQuery, CampaignsQueryVariables>;
export const AllCampaignsDocument = new TypedDocumentString(`
    query AllCampaigns($first: Int, $after: String) {
  campaigns(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...CampaignRow
        owner {
          id
          email
          tenant {
            id
            name
          }
        }
      }
    }
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<AllCampaignsQuery, AllCampaignsQueryVariables>;
export const CampaignDocument = new TypedDocumentString(`
    query Campaign($id: ID!) {
  campaign(id: $id) {
    ...CampaignFull
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}
fragment CampaignFull on Campaign {
  ...CampaignRow
  leadFormId
  pixelId
  metaAdsetId
  metaAdId
  targetAudience {
    countries
    ageMin
    ageMax
    regions {
      id
      name
    }
    cities {
      id
      name
    }
    interests {
      id
      name
    }
  }
  adCopy {
    headline
    body
    description
    callToAction
  }
  creatives {
    id
    fileName
    thumbnailUrl
    width
    height
  }
  remoteAds {
    creativeId
    remoteCreativeId
    remoteAdId
  }
  snapshots(last: 48) {
    capturedAt
    impressions
    clicks
    spendCents
    leads
  }
  owner {
    id
    email
  }
}`) as unknown as TypedDocumentString<CampaignQuery, CampaignQueryVariables>;
export const GenerateAdCopyDocument = new TypedDocumentString(`
    mutation GenerateAdCopy($input: GenerateAdCopyInput!) {
  generateAdCopy(input: $input) {
    headline
    body
    description
    callToAction
  }
}
    `) as unknown as TypedDocumentString<GenerateAdCopyMutation, GenerateAdCopyMutationVariables>;
export const CreateCampaignDocument = new TypedDocumentString(`
    mutation CreateCampaign($input: CreateCampaignInput!) {
  createCampaign(input: $input) {
    ...CampaignFull
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}
fragment CampaignFull on Campaign {
  ...CampaignRow
  leadFormId
  pixelId
  metaAdsetId
  metaAdId
  targetAudience {
    countries
    ageMin
    ageMax
    regions {
      id
      name
    }
    cities {
      id
      name
    }
    interests {
      id
      name
    }
  }
  adCopy {
    headline
    body
    description
    callToAction
  }
  creatives {
    id
    fileName
    thumbnailUrl
    width
    height
  }
  remoteAds {
    creativeId
    remoteCreativeId
    remoteAdId
  }
  snapshots(last: 48) {
    capturedAt
    impressions
    clicks
    spendCents
    leads
  }
  owner {
    id
    email
  }
}`) as unknown as TypedDocumentString<CreateCampaignMutation, CreateCampaignMutationVariables>;
export const UpdateCampaignDocument = new TypedDocumentString(`
    mutation UpdateCampaign($id: ID!, $input: CreateCampaignInput!) {
  updateCampaign(id: $id, input: $input) {
    ...CampaignFull
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}
fragment CampaignFull on Campaign {
  ...CampaignRow
  leadFormId
  pixelId
  metaAdsetId
  metaAdId
  targetAudience {
    countries
    ageMin
    ageMax
    regions {
      id
      name
    }
    cities {
      id
      name
    }
    interests {
      id
      name
    }
  }
  adCopy {
    headline
    body
    description
    callToAction
  }
  creatives {
    id
    fileName
    thumbnailUrl
    width
    height
  }
  remoteAds {
    creativeId
    remoteCreativeId
    remoteAdId
  }
  snapshots(last: 48) {
    capturedAt
    impressions
    clicks
    spendCents
    leads
  }
  owner {
    id
    email
  }
}`) as unknown as TypedDocumentString<UpdateCampaignMutation, UpdateCampaignMutationVariables>;
export const DeleteCampaignDocument = new TypedDocumentString(`
    mutation DeleteCampaign($id: ID!) {
  deleteCampaign(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteCampaignMutation, DeleteCampaignMutationVariables>;
export const PreviewLaunchDocument = new TypedDocumentString(`
    mutation PreviewLaunch($id: ID!) {
  previewLaunch(id: $id) {
    ok
    creditCost
    creditBalance
    checks {
      name
      ok
      message
    }
    adCopy {
      headline
      body
      description
      callToAction
    }
  }
}
    `) as unknown as TypedDocumentString<PreviewLaunchMutation, PreviewLaunchMutationVariables>;
export const LaunchCampaignDocument = new TypedDocumentString(`
    mutation LaunchCampaign($id: ID!, $idempotencyKey: String) {
  launchCampaign(id: $id, idempotencyKey: $idempotencyKey) {
    ...CampaignRow
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<LaunchCampaignMutation, LaunchCampaignMutationVariables>;
export const PauseCampaignDocument = new TypedDocumentString(`
    mutation PauseCampaign($id: ID!) {
  pauseCampaign(id: $id) {
    ...CampaignRow
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<PauseCampaignMutation, PauseCampaignMutationVariables>;
export const ResumeCampaignDocument = new TypedDocumentString(`
    mutation ResumeCampaign($id: ID!) {
  resumeCampaign(id: $id) {
    ...CampaignRow
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<ResumeCampaignMutation, ResumeCampaignMutationVariables>;
export const CampaignUpdatedDocument = new TypedDocumentString(`
    subscription CampaignUpdated($id: ID) {
  campaignUpdated(id: $id) {
    ...CampaignRow
    snapshots(last: 1) {
      capturedAt
      impressions
      clicks
      spendCents
      leads
    }
  }
}
    fragment PerformanceFields on Performance {
  currency
  impressions
  clicks
  spendCents
  leads
  ctr
  costPerLeadCents
  updatedAt
}
fragment CampaignRow on Campaign {
  id
  campaignName
  objective
  dailyBudgetCents
  status
  provider
  errorMessage
  destinationUrl
  metaCampaignId
  createdAt
  updatedAt
  integration {
    id
    adAccountId
    accountName
    currency
  }
  performance {
    ...PerformanceFields
  }
}`) as unknown as TypedDocumentString<CampaignUpdatedSubscription, CampaignUpdatedSubscriptionVariables>;
export const CreativesDocument = new TypedDocumentString(`
    query Creatives($first: Int, $after: String) {
  creatives(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...CreativeFields
      }
    }
  }
}
    fragment CreativeFields on Creative {
  id
  fileName
  contentType
  byteSize
  width
  height
  sha256
  url
  thumbnailUrl
  createdAt
}`) as unknown as TypedDocumentString<CreativesQuery, CreativesQueryVariables>;
export const UploadCreativeDocument = new TypedDocumentString(`
    mutation UploadCreative($file: Upload!) {
  uploadCreative(file: $file) {
    ...CreativeFields
  }
}
    fragment CreativeFields on Creative {
  id
  fileName
  contentType
  byteSize
  width
  height
  sha256
  url
  thumbnailUrl
  createdAt
}`) as unknown as TypedDocumentString<UploadCreativeMutation, UploadCreativeMutationVariables>;
export const DeleteCreativeDocument = new TypedDocumentString(`
    mutation DeleteCreative($id: ID!) {
  deleteCreative(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteCreativeMutation, DeleteCreativeMutationVariables>;
export const CreditBalanceDocument = new TypedDocumentString(`
    query CreditBalance {
  creditBalance
}
    `) as unknown as TypedDocumentString<CreditBalanceQuery, CreditBalanceQueryVariables>;
export const CreditsDocument = new TypedDocumentString(`
    query Credits($first: Int, $after: String) {
  creditBalance
  creditLedger(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        delta
        kind
        reason
        campaignId
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CreditsQuery, CreditsQueryVariables>;
export const AgentsDocument = new TypedDocumentString(`
    query Agents {
  agents {
    key
    name
    description
    creditCost
    enabled
    providers
  }
}
    `) as unknown as TypedDocumentString<AgentsQuery, AgentsQueryVariables>;
export const GrantCreditsDocument = new TypedDocumentString(`
    mutation GrantCredits($userId: ID!, $amount: Int!, $reason: String!) {
  grantCredits(userId: $userId, amount: $amount, reason: $reason) {
    id
    delta
    kind
    reason
    createdAt
  }
}
    `) as unknown as TypedDocumentString<GrantCreditsMutation, GrantCreditsMutationVariables>;
export const SetTenantAgentDocument = new TypedDocumentString(`
    mutation SetTenantAgent($tenantId: ID!, $agentKey: String!, $enabled: Boolean!, $providers: [Provider!]!) {
  setTenantAgent(
    tenantId: $tenantId
    agentKey: $agentKey
    enabled: $enabled
    providers: $providers
  ) {
    key
    name
    description
    creditCost
    enabled
    providers
  }
}
    `) as unknown as TypedDocumentString<SetTenantAgentMutation, SetTenantAgentMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}`) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const SignInDocument = new TypedDocumentString(`
    mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    token
    user {
      ...UserFields
    }
  }
}
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}`) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const SignUpDocument = new TypedDocumentString(`
    mutation SignUp($email: String!, $password: String!, $tenantName: String!) {
  signUp(email: $email, password: $password, tenantName: $tenantName) {
    token
    user {
      ...UserFields
    }
  }
}
    fragment UserFields on User {
  id
  email
  role
  createdAt
  tenant {
    id
    name
    slug
  }
}`) as unknown as TypedDocumentString<SignUpMutation, SignUpMutationVariables>;
export const IntegrationsDocument = new TypedDocumentString(`
    query Integrations {
  integrations {
    ...IntegrationFields
  }
}
    fragment IntegrationFields on Integration {
  id
  provider
  adAccountId
  accountName
  currency
  tokenLast4
  status
  lastVerifiedAt
  lastError
  pageId
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<IntegrationsQuery, IntegrationsQueryVariables>;
export const SaveIntegrationDocument = new TypedDocumentString(`
    mutation SaveIntegration($provider: Provider!, $accessToken: String!, $adAccountId: String!, $pageId: String) {
  saveIntegration(
    provider: $provider
    accessToken: $accessToken
    adAccountId: $adAccountId
    pageId: $pageId
  ) {
    ...IntegrationFields
  }
}
    fragment IntegrationFields on Integration {
  id
  provider
  adAccountId
  accountName
  currency
  tokenLast4
  status
  lastVerifiedAt
  lastError
  pageId
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SaveIntegrationMutation, SaveIntegrationMutationVariables>;
export const TestIntegrationDocument = new TypedDocumentString(`
    mutation TestIntegration($id: ID!) {
  testIntegration(id: $id) {
    ok
    message
    integration {
      ...IntegrationFields
    }
    pages {
      id
      name
    }
  }
}
    fragment IntegrationFields on Integration {
  id
  provider
  adAccountId
  accountName
  currency
  tokenLast4
  status
  lastVerifiedAt
  lastError
  pageId
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TestIntegrationMutation, TestIntegrationMutationVariables>;
export const DeleteIntegrationDocument = new TypedDocumentString(`
    mutation DeleteIntegration($id: ID!) {
  deleteIntegration(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteIntegrationMutation, DeleteIntegrationMutationVariables>;
export const PlatformAssetsDocument = new TypedDocumentString(`
    query PlatformAssets($integrationId: ID!) {
  platformAssets(integrationId: $integrationId) {
    pages {
      id
      name
    }
    pixels {
      id
      name
      pageId
    }
    leadForms {
      id
      name
      pageId
    }
  }
}
    `) as unknown as TypedDocumentString<PlatformAssetsQuery, PlatformAssetsQueryVariables>;
export const SearchTargetingDocument = new TypedDocumentString(`
    query SearchTargeting($integrationId: ID!, $kind: TargetingKind!, $query: String!, $countryCode: String) {
  searchTargeting(
    integrationId: $integrationId
    kind: $kind
    query: $query
    countryCode: $countryCode
  ) {
    id
    name
    kind
    countryCode
    audienceSizeLower
    audienceSizeUpper
  }
}
    `) as unknown as TypedDocumentString<SearchTargetingQuery, SearchTargetingQueryVariables>;