import { parseMoney, minorToInput } from '../../format';
import type {
  AdCopyInput,
  CallToAction,
  CampaignFullFragment,
  CampaignObjective,
  CopyAuthor,
  CreateCampaignInput,
  SpecialAdCategory,
} from '../../gql/graphql';
import { checkUrl, type Errors } from '../../validate';

export interface Target {
  id: string;
  name: string;
}

export interface CampaignForm {
  integrationId: string;
  campaignName: string;
  objective: CampaignObjective;
  specialAdCategory: SpecialAdCategory;
  leadFormId: string;
  pixelId: string;
  dailyBudget: string;
  destinationUrl: string;
  countries: string[];
  regions: Target[];
  cities: Target[];
  interests: Target[];
  ageMin: number;
  ageMax: number;
  creativeIds: string[];
  niche: string;
  adCopy: AdCopyInput | null;
  /** Which copywriter wrote `adCopy` as it stands; null once the user wrote or edited it. */
  copyBy: CopyAuthor | null;
}

export type FormField =
  | 'integrationId'
  | 'campaignName'
  | 'objective'
  | 'specialAdCategory'
  | 'leadFormId'
  | 'pixelId'
  | 'dailyBudget'
  | 'destinationUrl'
  | 'countries'
  | 'age'
  | 'creativeIds'
  | 'adCopy'
  | 'headline'
  | 'body'
  | 'description';

export const emptyForm: CampaignForm = {
  integrationId: '',
  campaignName: '',
  objective: 'LEADS',
  specialAdCategory: 'NONE',
  leadFormId: '',
  pixelId: '',
  dailyBudget: '',
  destinationUrl: '',
  countries: ['US'],
  regions: [],
  cities: [],
  interests: [],
  ageMin: 18,
  ageMax: 65,
  creativeIds: [],
  niche: '',
  adCopy: null,
  copyBy: null,
};

/** The account a new campaign starts on: the newest tested one, else the newest usable one. */
export function defaultIntegrationId(usable: { id: string; status: string }[]): string {
  return (usable.find((i) => i.status === 'VERIFIED') ?? usable[0])?.id ?? '';
}

/**
 * The editor's starting state, computed once when it opens: a saved
 * campaign exactly as stored (its own ad account, whatever the default),
 * a new one on the default account.
 */
export function initialForm(campaign: CampaignFullFragment | undefined, usable: { id: string; status: string }[]): CampaignForm {
  return campaign ? fromCampaign(campaign) : { ...emptyForm, integrationId: defaultIntegrationId(usable) };
}

/** What each special ad category covers, for the editor's select. */
export const specialAdCategories: { key: SpecialAdCategory; label: string }[] = [
  { key: 'NONE', label: 'None' },
  { key: 'HOUSING', label: 'Housing' },
  { key: 'EMPLOYMENT', label: 'Employment' },
  { key: 'FINANCIAL_PRODUCTS_SERVICES', label: 'Credit and financial products or services' },
  { key: 'ISSUES_ELECTIONS_POLITICS', label: 'Social issues, elections or politics' },
];

/** Meta's recommended lengths: longer text is cut off in most placements. */
export const copyLimits = { headline: 40, body: 125, description: 30 } as const;

export const ctaLabels: Record<CallToAction, string> = {
  LEARN_MORE: 'Learn more',
  SIGN_UP: 'Sign up',
  SHOP_NOW: 'Shop now',
  APPLY_NOW: 'Apply now',
  GET_QUOTE: 'Get quote',
  CONTACT_US: 'Contact us',
  SUBSCRIBE: 'Subscribe',
  DOWNLOAD: 'Download',
  BOOK_NOW: 'Book now',
};

/** The smallest daily budget Meta accepts is about 1 USD a day; the preview checks the exact minimum. */
export function validateCampaign(f: CampaignForm, currency: string): Errors<FormField> {
  const e: Errors<FormField> = {};
  if (!f.integrationId) e.integrationId = 'Choose the ad account to launch on.';
  const name = f.campaignName.trim();
  if (!name) e.campaignName = 'Name the campaign.';
  else if (name.length > 200) e.campaignName = 'Keep the name under 200 characters.';
  if (f.objective === 'CONVERSIONS' && !f.pixelId) e.pixelId = 'Conversions need a pixel to count them.';
  if (f.objective === 'LEADS' && !f.leadFormId && !f.pixelId) e.leadFormId = 'Choose an instant form, or a pixel for website leads.';
  if (f.objective === 'LEADS' && f.leadFormId && f.pixelId) e.pixelId = 'Choose either an instant form or a pixel, not both.';
  const money = parseMoney(f.dailyBudget, currency);
  if ('error' in money) e.dailyBudget = money.error;
  else if (money.minor <= 0) e.dailyBudget = 'The daily budget must be more than zero.';
  const url = checkUrl(f.destinationUrl);
  if (url && !(f.objective === 'LEADS' && f.leadFormId && !f.destinationUrl.trim())) e.destinationUrl = url;
  // The picker only takes countries from the platform's list; the server checks the codes again.
  if (!f.countries.length && !f.regions.length && !f.cities.length) e.countries = 'Target at least one country, region or city.';
  if (f.ageMin < 18 || f.ageMax > 65 || f.ageMin > f.ageMax) e.age = 'Ages go from 18 to 65, youngest first.';
  else if (f.specialAdCategory !== 'NONE' && (f.ageMin !== 18 || f.ageMax !== 65)) e.age = 'A special ad category must reach every adult: ages 18 to 65+.';
  if (!f.creativeIds.length) e.creativeIds = 'Choose at least one image.';
  if (f.adCopy) {
    if (!f.adCopy.headline.trim()) e.headline = 'Write a headline, or leave the copy to the media buyer.';
    if (!f.adCopy.body.trim()) e.body = 'Write the primary text.';
  }
  return e;
}

export function toInput(f: CampaignForm, currency: string): CreateCampaignInput {
  const money = parseMoney(f.dailyBudget, currency);
  return {
    integrationId: f.integrationId,
    campaignName: f.campaignName.trim(),
    objective: f.objective,
    specialAdCategory: f.specialAdCategory,
    dailyBudgetCents: 'minor' in money ? money.minor : 0,
    destinationUrl: f.destinationUrl.trim(),
    creativeIds: f.creativeIds,
    targetAudience: {
      countries: f.countries,
      regions: f.regions,
      cities: f.cities,
      interests: f.interests,
      ageMin: f.ageMin,
      ageMax: f.ageMax,
    },
    adCopy: f.adCopy
      ? {
          headline: f.adCopy.headline.trim(),
          body: f.adCopy.body.trim(),
          description: f.adCopy.description?.trim() || null,
          callToAction: f.adCopy.callToAction,
        }
      : null,
    niche: f.niche.trim() || null,
    // Where results land follows the objective: a form only for LEADS, a pixel for LEADS or CONVERSIONS.
    leadFormId: f.objective === 'LEADS' ? f.leadFormId || null : null,
    pixelId: f.objective === 'TRAFFIC' ? null : f.pixelId || null,
  };
}

export function fromCampaign(c: CampaignFullFragment): CampaignForm {
  const cur = c.integration.currency || c.performance.currency || 'USD';
  const strip = (l: { id: string; name: string }[]) => l.map(({ id, name }) => ({ id, name }));
  return {
    integrationId: c.integration.id,
    campaignName: c.campaignName,
    objective: c.objective,
    specialAdCategory: c.specialAdCategory,
    leadFormId: c.leadFormId ?? '',
    pixelId: c.pixelId ?? '',
    dailyBudget: minorToInput(c.dailyBudgetCents, cur),
    destinationUrl: c.destinationUrl,
    countries: c.targetAudience.countries,
    regions: strip(c.targetAudience.regions),
    cities: strip(c.targetAudience.cities),
    interests: strip(c.targetAudience.interests),
    ageMin: c.targetAudience.ageMin,
    ageMax: c.targetAudience.ageMax,
    creativeIds: c.creatives.map((x) => x.id),
    niche: c.niche ?? '',
    adCopy: c.adCopy
      ? { headline: c.adCopy.headline, body: c.adCopy.body, description: c.adCopy.description, callToAction: c.adCopy.callToAction }
      : null,
    copyBy: c.adCopy?.writtenBy ?? null,
  };
}

/** Who wrote a piece of copy, as the editor and the dry run say it. */
export function copyAuthorLabel(by: CopyAuthor | null | undefined): string {
  if (by === 'GEMINI') return 'Written by Gemini (AI)';
  if (by === 'TEMPLATE') return 'Written by the offline template — not AI';
  return 'Written by you';
}

/**
 * What the copywriter is briefed with: the niche (else the name), the
 * audience and the objective. The server's rule (services/launch/plan.rs,
 * `copy_after_edit`) drops agent-written copy when this changes; the
 * editor mirrors it so the user sees it happen.
 */
function briefOf(f: CampaignForm): string {
  const names = (l: Target[]) => l.map((t) => t.name);
  return JSON.stringify([
    f.niche.trim() || f.campaignName.trim(),
    f.countries,
    names(f.regions),
    names(f.cities),
    names(f.interests),
    f.ageMin,
    f.ageMax,
    f.objective,
  ]);
}

/**
 * One edit of the form. Editing the copy makes it the user's; changing
 * what the copy was written from drops copy the agent wrote (never the
 * user's), so the next dry run writes fresh copy. `droppedCopy` says it
 * happened, for the editor to tell the user.
 */
export function editForm<K extends keyof CampaignForm>(f: CampaignForm, key: K, value: CampaignForm[K]): { form: CampaignForm; droppedCopy: boolean } {
  const next: CampaignForm = { ...f, [key]: value };
  if (key === 'adCopy') return { form: { ...next, copyBy: null }, droppedCopy: false };
  if (f.adCopy && f.copyBy && briefOf(next) !== briefOf(f)) {
    return { form: { ...next, adCopy: null, copyBy: null }, droppedCopy: true };
  }
  return { form: next, droppedCopy: false };
}

/** Maps a server `extensions.field` ("input.targetAudience.ageMin", "dailyBudgetCents") to the form's field. */
export function formFieldOf(serverField: string): FormField | undefined {
  const last = serverField.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? serverField;
  const map: Record<string, FormField> = {
    integrationId: 'integrationId',
    campaignName: 'campaignName',
    objective: 'objective',
    specialAdCategory: 'specialAdCategory',
    leadFormId: 'leadFormId',
    pixelId: 'pixelId',
    dailyBudgetCents: 'dailyBudget',
    destinationUrl: 'destinationUrl',
    countries: 'countries',
    regions: 'countries',
    cities: 'countries',
    interests: 'countries',
    targetAudience: 'countries',
    ageMin: 'age',
    ageMax: 'age',
    creativeIds: 'creativeIds',
    adCopy: 'adCopy',
    headline: 'headline',
    body: 'body',
    description: 'description',
    callToAction: 'adCopy',
  };
  return map[last];
}
