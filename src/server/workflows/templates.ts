import {
  DEFINITION_VERSION,
  type StepKind,
  type StepNode,
  type TriggerDef,
  type WorkflowDefinition,
} from '../../shared/workflow/definition'

/**
 * Ready-made workflows (rule 64: created pre-built, as drafts; steps left incomplete — the CRM
 * URL, the agent, the team — are highlighted until completed). Names and descriptions are shown
 * through the web app's i18n keys `workflows.templates.<key>.name|description` (English, Arabic).
 */
export type Template = {
  key: string
  /** English, for the API and logs; the builder shows the translation. */
  name: string
  description: string
  build: () => WorkflowDefinition
}

function step(
  id: string,
  kind: StepKind,
  name: string,
  config: Record<string, unknown>,
  branches?: Record<string, StepNode[]>,
): StepNode {
  return { id, kind, name, config, ...(branches ? { branches } : {}) }
}

const def = (trigger: TriggerDef, steps: StepNode[]): WorkflowDefinition => ({
  version: DEFINITION_VERSION,
  trigger,
  steps,
})
const openedByContact: TriggerDef = {
  type: 'conversation_opened',
  conditions: { sources: ['contact'] },
  oncePerContact: false,
}
const closed: TriggerDef = {
  type: 'conversation_closed',
  conditions: { closedBy: [], categoryIds: [] },
  oncePerContact: false,
}
const teamRoundRobin = (id: string, name: string) =>
  step(id, 'assign_to', name, { action: 'team', logic: 'round_robin', onlineOnly: false })

export const TEMPLATES: Template[] = [
  {
    key: 'vip_routing',
    name: 'Routing: VIP contacts',
    description:
      'Checks for an email (asking for it up to three more times), looks the contact up in your CRM over HTTP and assigns VIPs to a dedicated agent, others round robin in a team.',
    // Seed 000: Email exists? → (no) Ask email, re-ask via Jump To, thanks, jump to the lookup →
    // HTTP lookup mapping $.customerType → Branch on CustomerType → dedicated agent / team.
    build: () =>
      def(openedByContact, [
        step(
          'email_exists',
          'branch',
          'Email exists?',
          {
            branches: [
              {
                id: 'has_email',
                name: 'Has email',
                op: 'and',
                conditions: [{ category: 'contact_field', field: 'email', operator: 'exists' }],
              },
            ],
          },
          {
            has_email: [
              step(
                'crm_lookup',
                'http_request',
                'Get contact data from CRM',
                {
                  method: 'GET',
                  url: '',
                  headers: [],
                  timeoutSeconds: 10,
                  mappings: [{ path: '$.customerType', variable: 'CustomerType' }],
                },
                {
                  failure: [
                    step('lookup_failed', 'jump_to', 'Route as a regular contact', {
                      targetStepId: 'assign_team',
                      maxJumps: 1,
                    }),
                  ],
                },
              ),
              step(
                'is_vip',
                'branch',
                'VIP or regular contact',
                {
                  branches: [
                    {
                      id: 'vip',
                      name: 'VIP',
                      op: 'and',
                      conditions: [
                        { category: 'variable', variable: '$CustomerType', operator: 'is', value: 'VIP' },
                      ],
                    },
                  ],
                },
                {
                  vip: [step('assign_vip', 'assign_to', 'Assign to the dedicated agent', { action: 'user' })],
                  else: [teamRoundRobin('assign_team', 'Assign round robin in the team')],
                },
              ),
            ],
            else: [
              step(
                'ask_email',
                'ask_question',
                'Ask for the email',
                {
                  question: 'Hello $contact.firstname|there! What is your email address?',
                  type: 'email',
                  saveTo: { kind: 'field', field: 'email' },
                },
                {
                  invalid: [
                    step('ask_again', 'jump_to', 'Ask again (3 times at most)', {
                      targetStepId: 'ask_email',
                      maxJumps: 3,
                    }),
                    teamRoundRobin('assign_after_retries', 'Route to the team after 3 tries'),
                  ],
                },
              ),
              step('thanks', 'send_message', 'Success message', {
                channelId: null,
                message: { type: 'text', text: 'Thank you! One moment while we connect you.' },
                channelResponses: [],
                failureBranch: false,
              }),
              step('to_lookup', 'jump_to', 'Go to the CRM lookup', {
                targetStepId: 'crm_lookup',
                maxJumps: 1,
              }),
            ],
          },
        ),
      ]),
  },
  {
    key: 'new_vs_returning',
    name: 'Routing: new and returning contacts',
    description:
      'Greets new contacts and tags them; greets returning contacts by name; then assigns round robin.',
    build: () =>
      def(openedByContact, [
        step(
          'returning',
          'branch',
          'Returning contact?',
          {
            branches: [
              {
                id: 'returning',
                name: 'Returning',
                op: 'and',
                conditions: [{ category: 'tag', operator: 'is' }],
              },
            ],
          },
          {
            returning: [
              step('welcome_back', 'send_message', 'Welcome back', {
                channelId: null,
                message: {
                  type: 'text',
                  text: 'Welcome back, $contact.firstname|there! An agent will be with you shortly.',
                },
                channelResponses: [],
                failureBranch: false,
              }),
              step('assign_returning', 'assign_to', 'Assign round robin', {
                action: 'workspace',
                logic: 'round_robin',
                onlineOnly: true,
              }),
            ],
            else: [
              step('welcome', 'send_message', 'Welcome', {
                channelId: null,
                message: {
                  type: 'text',
                  text: 'Welcome! Thanks for reaching out. An agent will be with you shortly.',
                },
                channelResponses: [],
                failureBranch: false,
              }),
              step('tag_returning', 'update_tag', 'Tag as returning', { add: [], remove: [] }),
              step('assign_new', 'assign_to', 'Assign round robin', {
                action: 'workspace',
                logic: 'round_robin',
                onlineOnly: true,
              }),
            ],
          },
        ),
      ]),
  },
  {
    key: 'business_hours_routing',
    name: 'Routing: business hours and shifts',
    description:
      'Inside business hours assigns to an online agent of the shift’s team; outside them tells the contact when you open.',
    build: () =>
      def(openedByContact, [
        step(
          'open_hours',
          'date_time',
          'Within business hours?',
          {
            timezone: 'Asia/Riyadh',
            mode: 'business_hours',
            hours: {
              sun: [{ from: '09:00', to: '17:00' }],
              mon: [{ from: '09:00', to: '17:00' }],
              tue: [{ from: '09:00', to: '17:00' }],
              wed: [{ from: '09:00', to: '17:00' }],
              thu: [{ from: '09:00', to: '17:00' }],
              fri: [],
              sat: [],
            },
          },
          {
            failure: [
              step('closed_message', 'send_message', 'We are closed', {
                channelId: null,
                message: {
                  type: 'text',
                  text: 'Thanks for your message! We are open Sunday to Thursday, 9:00–17:00, and will reply then.',
                },
                channelResponses: [],
                failureBranch: false,
              }),
            ],
          },
        ),
        step('assign_shift', 'assign_to', 'Assign to the shift team', {
          action: 'team',
          logic: 'round_robin',
          onlineOnly: true,
        }),
      ]),
  },
  {
    key: 'round_robin_online',
    name: 'Assignment: round robin + online only',
    description:
      'Gives each new conversation to the next online user in turn; if nobody is online within 5 minutes, tells the contact.',
    build: () =>
      def(openedByContact, [
        step(
          'assign',
          'assign_to',
          'Assign round robin to online users',
          {
            action: 'workspace',
            logic: 'round_robin',
            onlineOnly: true,
            timeout: { amount: 5, unit: 'minutes' },
          },
          {
            timeout: [
              step('busy', 'send_message', 'Everyone is busy', {
                channelId: null,
                message: {
                  type: 'text',
                  text: 'All our agents are busy right now; we will get back to you as soon as possible.',
                },
                channelResponses: [],
                failureBranch: false,
              }),
            ],
          },
        ),
      ]),
  },
  {
    key: 'least_open_contacts',
    name: 'Assignment: least open contacts',
    description:
      'Gives each new conversation to the online user with the fewest open contacts (at most 10 each).',
    build: () =>
      def(openedByContact, [
        step('assign', 'assign_to', 'Assign to the least busy user', {
          action: 'workspace',
          logic: 'least_open',
          onlineOnly: true,
          maxOpenContacts: 10,
        }),
      ]),
  },
  {
    key: 'unassign_after_close',
    name: 'Assignment: unassign after the conversation closes',
    description:
      'Rule 33: every time a conversation closes, the contact is unassigned so the next conversation is routed afresh.',
    build: () => def(closed, [step('unassign', 'assign_to', 'Unassign', { action: 'unassign' })]),
  },
  {
    key: 'csat_after_close',
    name: 'Customer satisfaction survey after close',
    description:
      'When a conversation closes, asks for a 1–5 rating, saves it to a contact field and posts it to your system over HTTP.',
    build: () =>
      def(
        {
          type: 'conversation_closed',
          conditions: { closedBy: ['user', 'auto_close'], categoryIds: [] },
          oncePerContact: false,
        },
        [
          step(
            'ask_rating',
            'ask_question',
            'Ask for a rating',
            {
              question: 'How would you rate our service today, from 1 (poor) to 5 (excellent)?',
              type: 'rating',
              saveTo: { kind: 'field', field: 'csat' },
              timeout: { amount: 1, unit: 'days' },
            },
            {
              invalid: [
                step('ask_rating_again', 'jump_to', 'Ask once more', {
                  targetStepId: 'ask_rating',
                  maxJumps: 1,
                }),
              ],
            },
          ),
          step(
            'post_rating',
            'http_request',
            'Send the rating to your system',
            {
              method: 'POST',
              url: '',
              headers: [],
              body: {
                contentType: 'application/json',
                text: '{"contactId": "$contact.id", "email": "$contact.email", "rating": "$contact.csat", "at": "$system.current_datetime"}',
              },
              timeoutSeconds: 10,
              mappings: [],
            },
            {},
          ),
          step('thank', 'send_message', 'Thank the contact', {
            channelId: null,
            message: { type: 'text', text: 'Thank you for your feedback, $contact.firstname|there!' },
            channelResponses: [],
            failureBranch: false,
          }),
        ],
      ),
  },
]

export function templateByKey(key: string): Template | undefined {
  return TEMPLATES.find((t) => t.key === key)
}
