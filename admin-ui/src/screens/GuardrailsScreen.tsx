import { useUser } from '../auth';
import { PageHeader } from '../ui/kit';
import { BudgetPolicySection } from './BudgetPolicy';
import { StopLossPanel } from './StopLoss';

/** Settings › Spending limits: the budget policy, and a member's default stop-loss rules. */
export default function GuardrailsScreen() {
  const user = useUser();
  const chief = user.role === 'CHIEF_ARCHITECT';
  return (
    <div className="page">
      <PageHeader
        title="Spending limits"
        subtitle={chief ? 'Budget policy per tenant and currency' : 'What your campaigns may spend, and when they stop by themselves'}
      />
      <div className="settings-stack">
        <BudgetPolicySection />
        {!chief && <StopLossPanel />}
      </div>
    </div>
  );
}
