import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { STEP_KINDS, TRIGGER_TYPES } from '../../shared/workflow/definition'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, finished, node, publishWorkflow, SHORTCUT, startOn, waiting } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
const api = (p: string) => `/api/v1/workspaces/${ws}${p}`

describe('workflows API (rules 60–65)', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
  })
  after(() => server.close())

  test('rule 60: Owners and Managers only', async () => {
    const manager = await buildUser(server, ws, 'manager')
    const agent = await buildUser(server, ws, 'agent')
    assert.equal((await manager.client.get(api('/workflows'))).status, 200)
    const denied = await agent.client.post(api('/workflows'), { name: 'x' })
    assert.equal(denied.status, 403)
    assert.equal(denied.body.error.message, 'The Agent role has no access to Workflows.')
    assert.equal((await agent.client.get(api('/workflow-schema'))).status, 403)
  })

  test('a draft may be incomplete (rule 64): problems point at steps, publishing is refused until they are fixed', async () => {
    const created = await owner.post(api('/workflows'), { name: 'Greeter' })
    assert.equal(created.status, 201)
    assert.equal(created.body.status, 'draft')
    assert.deepEqual(created.body.problems, [
      { stepId: null, path: 'steps', message: 'Add at least one step.' },
    ])
    const id = created.body.id
    const malformed = await owner.put(api(`/workflows/${id}/draft`), {
      definition: { version: 1, trigger: { type: 'nope' }, steps: [] },
    })
    assert.equal(malformed.status, 400)
    assert.match(malformed.body.error.fields[0].path, /^definition\.trigger/)
    const draft = definition({ type: 'conversation_opened' }, [
      node('send_message', { message: { type: 'text', text: '' } }, { id: 'hello' }),
      node(
        'branch',
        { branches: [] },
        { id: 'split', branches: { gone: [node('add_comment', { text: 'x' }, { id: 'orphan' })] } },
      ),
      node('add_comment', { text: 'unreachable' }, { id: 'after_branch' }),
      node('jump_to', { targetStepId: 'missing' }, { id: 'jump' }),
      node('update_tag', { add: [987654] }, { id: 'tag' }),
      node('wait', { duration: { amount: 8, unit: 'days' } }, { id: 'long' }),
    ])
    const saved = await owner.put(api(`/workflows/${id}/draft`), { definition: draft })
    assert.equal(saved.status, 200, saved.text)
    const problems = saved.body.problems as { stepId: string; path: string; message: string }[]
    const at = (stepId: string) =>
      problems.filter((p) => p.stepId === stepId).map((p) => `${p.path}: ${p.message}`)
    assert.deepEqual(at('hello'), ['config.message.text: The message is required.'])
    assert.deepEqual(at('split'), ['config.branches: Add a branch.'])
    assert.deepEqual(at('after_branch'), [])
    assert.deepEqual(at('jump'), ['config.targetStepId: The step to jump to no longer exists.'])
    assert.deepEqual(at('tag'), ['config.add.0: Tag 987654 no longer exists.'])
    assert.deepEqual(at('long'), ['config.duration.amount: A wait is at most 7 days.'])
    const refused = await owner.post(api(`/workflows/${id}/publish`))
    assert.equal(refused.status, 422)
    assert.equal(refused.body.error.code, 'workflow_incomplete')
    assert.ok(
      refused.body.error.fields.some((f: { path: string }) => f.path === 'steps.hello.config.message.text'),
    )
    // A Branch with a real branch: the orphaned "gone" branch and the step after it are reported.
    const fixed = structuredClone(draft)
    fixed.steps[0]!.config = { message: { type: 'text', text: 'Hi' } }
    fixed.steps[1]!.config = {
      branches: [{ id: 'b', name: 'B', conditions: [{ category: 'tag', operator: 'exists' }] }],
    }
    const again = await owner.put(api(`/workflows/${id}/draft`), {
      definition: { ...fixed, steps: fixed.steps.slice(0, 3) },
    })
    assert.deepEqual(
      again.body.problems.map((p: { stepId: string; path: string }) => `${p.stepId}:${p.path}`),
      ['split:branches.gone', 'after_branch:'],
    )
    assert.deepEqual(again.body.outcomes.split, { continue: null, branches: ['b', 'else'] })
    assert.deepEqual(again.body.outcomes.hello, { continue: 'success', branches: [] })
    const ok = await owner.put(api(`/workflows/${id}/draft`), {
      definition: { ...fixed, steps: fixed.steps.slice(0, 2).map((s) => ({ ...s, branches: {} })) },
    })
    assert.deepEqual(ok.body.problems, [])
    const published = await owner.post(api(`/workflows/${id}/publish`))
    assert.equal(published.status, 200, published.text)
    assert.equal(published.body.status, 'published')
    assert.equal(published.body.liveVersion, 1)
    assert.equal(published.body.draftChanged, false)
  })

  test('editing a published workflow makes a draft; publishing makes a new immutable version; running contacts finish on theirs', async () => {
    const v1 = definition(SHORTCUT, [
      node('wait', { duration: { amount: 2, unit: 'seconds' } }, { id: 'w' }),
      node('add_comment', { text: 'v1' }, { id: 'c' }),
    ])
    const id = await publishWorkflow(owner, ws, v1)
    const contact = await buildContact(server, ws)
    const first = await startOn(owner, ws, id, contact.id)
    await waiting(owner, ws, first)
    const v2 = definition(SHORTCUT, [node('add_comment', { text: 'v2' }, { id: 'c' })])
    const edited = await owner.put(api(`/workflows/${id}/draft`), { definition: v2 })
    assert.equal(edited.body.draftChanged, true)
    assert.equal(edited.body.liveVersion, 1)
    assert.equal((await owner.post(api(`/workflows/${id}/publish`))).body.liveVersion, 2)
    assert.equal((await finished(owner, ws, first)).status, 'completed')
    const other = await buildContact(server, ws)
    await finished(owner, ws, await startOn(owner, ws, id, other.id))
    const notes = async (c: number) =>
      (await owner.get(api(`/contacts/${c}/comments`))).body.comments.map((x: { body: string }) => x.body)
    assert.deepEqual(await notes(contact.id), ['v1'])
    assert.deepEqual(await notes(other.id), ['v2'])
    const versions = await owner.get(api(`/workflows/${id}/versions`))
    assert.deepEqual(
      versions.body.map((v: { version: number }) => v.version),
      [2, 1],
    )
    const one = await owner.get(api(`/workflows/${id}/versions/1`))
    assert.equal(one.body.definition.steps[1].config.text, 'v1')
    // Discarding a draft returns to the live version.
    await owner.put(api(`/workflows/${id}/draft`), { definition: v1 })
    const discarded = await owner.post(api(`/workflows/${id}/discard-draft`))
    assert.equal(discarded.body.definition.steps[0].config.text, 'v2')
    assert.equal(discarded.body.draftChanged, false)
  })

  test('rule 61: 100 steps per workflow and 100 workflows per workspace', async () => {
    const steps = Array.from({ length: 101 }, (_, i) =>
      node('add_comment', { text: `${i}` }, { id: `c${i}` }),
    )
    const tooMany = await owner.post(api('/workflows'), {
      name: 'Big',
      definition: definition(SHORTCUT, steps),
    })
    assert.equal(tooMany.status, 400)
    assert.match(tooMany.body.error.message, /at most 100 steps/)
    assert.equal(
      (await owner.post(api('/workflows'), { name: 'Big', definition: definition(SHORTCUT, steps.slice(1)) }))
        .status,
      201,
    )
    const other = await buildWorkspace(server)
    const w = `/api/v1/workspaces/${other.workspaceId}/workflows`
    for (let i = 0; i < 100; i++)
      assert.equal((await other.owner.client.post(w, { name: `W${i}` })).status, 201)
    const full = await other.owner.client.post(w, { name: 'one more' })
    assert.equal(full.status, 409)
    assert.equal(full.body.error.code, 'limit_reached')
  })

  test('export and import: a file another workspace imports as a draft, references it lacks reported', async () => {
    const tag = (await owner.post(api('/tags'), { name: 'Exported' })).body.id
    const id = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [tag] } }, [
        node('add_comment', { text: 'tagged' }, { id: 'c' }),
      ]),
      'Tag follow-up',
    )
    const file = await owner.get(api(`/workflows/${id}/export`))
    assert.equal(file.status, 200)
    assert.match(String(file.headers['content-disposition']), /attachment/)
    assert.equal(file.body.format, 'tawasul.workflow')
    const other = await buildWorkspace(server)
    const imported = await other.owner.client.post(
      `/api/v1/workspaces/${other.workspaceId}/workflows/import`,
      file.body,
    )
    assert.equal(imported.status, 201, imported.text)
    assert.equal(imported.body.name, 'Tag follow-up')
    assert.equal(imported.body.status, 'draft')
    assert.deepEqual(imported.body.problems, [
      { stepId: null, path: 'trigger.conditions.tagIds.0', message: `Tag ${tag} no longer exists.` },
    ])
    const same = await owner.post(api('/workflows/import'), { ...file.body, rename: 'Copy' })
    assert.deepEqual(same.body.problems, [])
    assert.deepEqual(same.body.definition, file.body.definition)
  })

  test('templates (rule 64): created as drafts with the steps left to complete highlighted; names in English and Arabic', async () => {
    const list = await owner.get(api('/workflow-templates'))
    const keys = list.body.map((t: { key: string }) => t.key)
    assert.deepEqual(keys, [
      'vip_routing',
      'new_vs_returning',
      'business_hours_routing',
      'round_robin_online',
      'least_open_contacts',
      'unassign_after_close',
      'csat_after_close',
    ])
    const i18n = (lang: string) =>
      JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../web/i18n/${lang}.json`), 'utf8'))
    for (const lang of ['en', 'ar']) {
      const t = i18n(lang).workflows.templates
      for (const k of keys) assert.ok(t[k]?.name && t[k]?.description, `${lang}: workflows.templates.${k}`)
    }
    const vip = await owner.post(api('/workflows'), { name: 'VIP', templateKey: 'vip_routing' })
    assert.equal(vip.status, 201)
    assert.deepEqual(
      vip.body.problems.map((p: { stepId: string; path: string }) => `${p.stepId}:${p.path}`).sort(),
      [
        'assign_after_retries:config.teamId',
        'assign_team:config.teamId',
        'assign_vip:config.userId',
        'crm_lookup:config.url',
      ],
    )
    for (const key of keys.slice(1)) {
      const r = await owner.post(api('/workflows'), { name: key, templateKey: key })
      assert.equal(r.status, 201, `${key}: ${r.text}`)
    }
    const unassign = (await owner.get(api('/workflows'))).body.find(
      (w: { templateKey: string }) => w.templateKey === 'unassign_after_close',
    )
    assert.equal(
      (await owner.post(api(`/workflows/${unassign.id}/publish`))).status,
      200,
      'complete as it comes',
    )
  })

  test('the builder gets JSON Schemas for the definition, every trigger and every step', async () => {
    const r = await owner.get(api('/workflow-schema'))
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.steps.map((s: { kind: string }) => s.kind).sort(), [...STEP_KINDS].sort())
    assert.deepEqual(r.body.triggers.map((t: { type: string }) => t.type).sort(), [...TRIGGER_TYPES].sort())
    const send = r.body.steps.find((s: { kind: string }) => s.kind === 'send_message')
    assert.equal(send.config.type, 'object')
    assert.equal(
      send.config.properties.message.oneOf?.length ?? send.config.properties.message.anyOf?.length,
      2,
    )
    const manual = r.body.triggers.find((t: { type: string }) => t.type === 'manual')
    assert.equal(manual.oncePerContact, false)
    assert.equal(r.body.limits.stepsPerWorkflow, 100)
    assert.equal(r.body.definition.type, 'object')
  })

  test('deleting a workflow cancels its runs and hands the conversation back to people', async () => {
    const id = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [node('wait', { duration: { amount: 1, unit: 'hours' } }, { id: 'w' })]),
    )
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/conversation/open`), {})
    await owner.put(api(`/contacts/${contact.id}/assignee`), { userId: null })
    const runId = await startOn(owner, ws, id, contact.id)
    await waiting(owner, ws, runId)
    assert.equal(
      (await owner.get(api(`/contacts/${contact.id}/conversation`))).body.conversation.handler,
      'workflow',
    )
    assert.equal((await owner.delete(api(`/workflows/${id}`))).status, 200)
    assert.equal((await owner.get(api(`/workflows/${id}`))).status, 404)
    assert.equal(
      (await owner.get(api(`/contacts/${contact.id}/conversation`))).body.conversation.handler,
      'human',
    )
    assert.equal((await owner.get(api(`/workflow-runs/${runId}`))).status, 404)
  })

  test('runs per contact with their step log; cancelling a run', async () => {
    const id = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [node('wait', { duration: { amount: 1, unit: 'hours' } }, { id: 'w' })]),
    )
    const contact = await buildContact(server, ws)
    const runId = await startOn(owner, ws, id, contact.id)
    await waiting(owner, ws, runId)
    const list = await owner.get(api(`/contacts/${contact.id}/workflow-runs`))
    assert.equal(list.body.runs[0].id, runId)
    assert.equal(list.body.runs[0].steps[0].status, 'waiting')
    assert.equal(list.body.runs[0].waiting.for, 'timer')
    assert.equal((await owner.get(api(`/workflows/${id}`))).body.activeRuns, 1)
    const cancelled = await owner.post(api(`/workflow-runs/${runId}/cancel`))
    assert.equal(cancelled.body.status, 'cancelled')
    assert.equal((await owner.get(api(`/workflows/${id}`))).body.activeRuns, 0)
    assert.equal((await owner.post(api(`/workflow-runs/${runId}/cancel`))).status, 409)
  })
})
