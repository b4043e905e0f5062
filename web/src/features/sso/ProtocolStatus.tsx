// The heading of a single sign-on protocol section (SAML or OpenID Connect):
// its name, whether it is active, and until it is, the steps left.

import { useI18n } from '../../i18n/index.ts';

export interface SetupStep {
  done: boolean;
  label: string;
}

export function ProtocolStatus({ title, active, activeLabel, inactiveLabel, testId, steps }: { title: string; active: boolean; activeLabel: string; inactiveLabel: string; testId: string; steps: SetupStep[] }) {
  const { t } = useI18n();
  return (
    <>
      <h3 class="name-with-badges">
        {title}
        <span class={active ? 'badge badge-domain-verified' : 'badge'} data-testid={testId}>
          {active ? activeLabel : inactiveLabel}
        </span>
      </h3>
      {!active && (
        <ul class="steps">
          {steps.map((step) => (
            <li key={step.label} class={step.done ? 'step done' : 'step'}>
              <span class="visually-hidden">{step.done ? t('saml.stepDone') : t('saml.stepTodo')}</span>
              {step.label}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
