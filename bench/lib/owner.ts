import { setupOwner, TEST_PASSWORD } from '../../src/server/test/factories'

export const BENCH_PASSWORD = TEST_PASSWORD

/** First-run setup of the benchmark's organization through the API: the owner's client, workspace and user id. */
export async function benchOwner(server: Parameters<typeof setupOwner>[0]) {
  const { client, workspaceId, userId } = await setupOwner(server, {
    organizationName: 'Bench',
    workspaceName: 'Bench',
    name: 'Bench Owner',
    email: 'owner@bench.test',
    password: BENCH_PASSWORD,
  })
  return { owner: client, ws: workspaceId, ownerId: userId }
}
