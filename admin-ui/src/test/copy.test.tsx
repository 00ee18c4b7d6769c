import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { PreviewedCopy } from '../screens/campaigns/CampaignEditorScreen';

afterEach(() => cleanup());

const words = { headline: 'Yoga studio: sign up today', body: 'Yoga studio, made simple. Leave your details and we’ll be in touch.', description: null, callToAction: 'SIGN_UP' as const };

describe('the copy the dry run shows', () => {
  it('shows every word that launches and says the offline template is not AI', () => {
    render(<PreviewedCopy copy={{ ...words, writtenBy: 'TEMPLATE' }} />);
    expect(screen.getByTestId('previewed-headline').textContent).toBe(words.headline);
    expect(screen.getByTestId('previewed-body').textContent).toBe(words.body);
    expect(screen.getByTestId('previewed-description').textContent).toBe('—');
    expect(screen.getByTestId('previewed-cta').textContent).toBe('Sign up');
    expect(screen.getByTestId('previewed-copy-author').textContent).toBe('Written by the offline template — not AI');
  });
  it('names Gemini, or the user', () => {
    render(<PreviewedCopy copy={{ ...words, writtenBy: 'GEMINI' }} />);
    expect(screen.getByTestId('previewed-copy-author').textContent).toBe('Written by Gemini (AI)');
    cleanup();
    render(<PreviewedCopy copy={{ ...words, writtenBy: null }} />);
    expect(screen.getByTestId('previewed-copy-author').textContent).toBe('Written by you');
  });
});
