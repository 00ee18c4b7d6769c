import { describe, expect, it } from 'vitest';
import { copyAuthorLabel, defaultIntegrationId, editForm, emptyForm, formFieldOf, initialForm, toInput, validateCampaign, type CampaignForm } from './form';

const good: CampaignForm = {
  ...emptyForm,
  integrationId: 'i1',
  campaignName: 'Spring leads',
  objective: 'LEADS',
  leadFormId: '20123',
  dailyBudget: '25',
  destinationUrl: 'https://example.com/offer',
  creativeIds: ['c1'],
};

describe('campaign form validation', () => {
  it('accepts a complete LEADS campaign', () => {
    expect(validateCampaign(good, 'USD')).toEqual({});
  });
  it('names each missing field', () => {
    const e = validateCampaign({ ...emptyForm, countries: [] }, 'USD');
    expect(Object.keys(e).sort()).toEqual(
      ['campaignName', 'countries', 'creativeIds', 'dailyBudget', 'destinationUrl', 'integrationId', 'leadFormId'].sort(),
    );
  });
  it('needs a pixel for conversions', () => {
    expect(validateCampaign({ ...good, objective: 'CONVERSIONS', leadFormId: '' }, 'USD').pixelId).toBeTruthy();
    expect(validateCampaign({ ...good, objective: 'CONVERSIONS', pixelId: '30123' }, 'USD').pixelId).toBeUndefined();
  });
  it('takes a form or a pixel for leads, not both', () => {
    expect(validateCampaign({ ...good, pixelId: '30123' }, 'USD').pixelId).toMatch(/not both/);
  });
  it('needs neither form nor pixel for traffic', () => {
    expect(validateCampaign({ ...good, objective: 'TRAFFIC', leadFormId: '' }, 'USD')).toEqual({});
  });
  it('checks the budget in the account currency', () => {
    expect(validateCampaign({ ...good, dailyBudget: '1500.5' }, 'JPY').dailyBudget).toMatch(/no decimals/);
    expect(validateCampaign({ ...good, dailyBudget: '0' }, 'USD').dailyBudget).toBeTruthy();
  });
  it('keeps a special ad category to every adult and sends it', () => {
    const housing: CampaignForm = { ...good, specialAdCategory: 'HOUSING' };
    expect(validateCampaign(housing, 'USD')).toEqual({});
    expect(validateCampaign({ ...housing, ageMin: 25 }, 'USD').age).toMatch(/18 to 65\+/);
    expect(validateCampaign({ ...good, ageMin: 25 }, 'USD').age).toBeUndefined();
    expect(toInput(housing, 'USD').specialAdCategory).toBe('HOUSING');
    expect(formFieldOf('input.specialAdCategory')).toBe('specialAdCategory');
  });
  it('checks the age range and the destination', () => {
    expect(validateCampaign({ ...good, ageMin: 40, ageMax: 30 }, 'USD').age).toBeTruthy();
    expect(validateCampaign({ ...good, destinationUrl: 'example' }, 'USD').destinationUrl).toBeTruthy();
    expect(validateCampaign({ ...good, destinationUrl: 'http://example.com' }, 'USD').destinationUrl).toMatch(/https/);
  });
  it('checks hand-written copy', () => {
    const e = validateCampaign({ ...good, adCopy: { headline: '', body: '', callToAction: 'LEARN_MORE' } }, 'USD');
    expect(e.headline).toBeTruthy();
    expect(e.body).toBeTruthy();
  });
});

describe('campaign input', () => {
  it('sends the budget in minor units', () => {
    expect(toInput(good, 'USD').dailyBudgetCents).toBe(2500);
    expect(toInput({ ...good, dailyBudget: '3000' }, 'JPY').dailyBudgetCents).toBe(3000);
  });
  it('sends no lead form for conversions', () => {
    expect(toInput({ ...good, objective: 'CONVERSIONS', pixelId: '30123' }, 'USD').leadFormId).toBeNull();
  });
  it('drops form and pixel for traffic', () => {
    const i = toInput({ ...good, objective: 'TRAFFIC', pixelId: 'p' }, 'USD');
    expect(i.leadFormId).toBeNull();
    expect(i.pixelId).toBeNull();
  });
  it('maps server field paths to form fields', () => {
    expect(formFieldOf('input.dailyBudgetCents')).toBe('dailyBudget');
    expect(formFieldOf('input.targetAudience.ageMin')).toBe('age');
    expect(formFieldOf('input.adCopy.headline')).toBe('headline');
    expect(formFieldOf('creativeIds.0')).toBe('creativeIds');
  });
});

describe('where the editor starts', () => {
  const accounts = [
    { id: 'new-untested', status: 'UNVERIFIED' },
    { id: 'newest-tested', status: 'VERIFIED' },
    { id: 'older-tested', status: 'VERIFIED' },
  ];
  it('a new campaign starts on the newest tested account, else the newest one', () => {
    expect(initialForm(undefined, accounts).integrationId).toBe('newest-tested');
    expect(defaultIntegrationId([{ id: 'a', status: 'UNVERIFIED' }])).toBe('a');
    expect(defaultIntegrationId([])).toBe('');
  });
});

describe('copy the agent wrote', () => {
  const agents = { headline: 'Spring leads', body: 'Sign up today.', description: null, callToAction: 'SIGN_UP' as const };
  const written: CampaignForm = { ...good, adCopy: agents, copyBy: 'TEMPLATE' };

  it('is dropped when the name, niche, audience or objective changes', () => {
    const edits: [keyof CampaignForm, unknown][] = [
      ['campaignName', 'Autumn leads'],
      ['niche', 'Roof repair'],
      ['countries', ['DE']],
      ['cities', [{ id: '1', name: 'Lisbon' }]],
      ['ageMin', 30],
      ['objective', 'TRAFFIC'],
    ];
    for (const [k, v] of edits) {
      const { form, droppedCopy } = editForm(written, k, v as never);
      expect(droppedCopy, k).toBe(true);
      expect(form.adCopy, k).toBeNull();
      expect(form[k]).toEqual(v);
    }
  });
  it('is kept through other edits, and a rename with a niche set', () => {
    expect(editForm(written, 'dailyBudget', '40').form.adCopy).toEqual(agents);
    const withNiche = { ...written, niche: 'Roof repair' };
    expect(editForm(withNiche, 'campaignName', 'Other').droppedCopy).toBe(false);
  });
  it('becomes the user\'s when edited, and is then never dropped', () => {
    const own = editForm(written, 'adCopy', { ...agents, headline: 'Our spring offer' }).form;
    expect(own.copyBy).toBeNull();
    const renamed = editForm(own, 'campaignName', 'Autumn leads');
    expect(renamed.droppedCopy).toBe(false);
    expect(renamed.form.adCopy?.headline).toBe('Our spring offer');
  });
  it('says who wrote it', () => {
    expect(copyAuthorLabel('TEMPLATE')).toMatch(/offline template — not AI/);
    expect(copyAuthorLabel('GEMINI')).toMatch(/Gemini/);
    expect(copyAuthorLabel(null)).toBe('Written by you');
  });
});
