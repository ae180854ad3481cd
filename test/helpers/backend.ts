/** Tests run on the plain cpu backend unless AVLAB_TEST_BACKEND says otherwise: exact and available everywhere. */
import { initBackend, BackendChoice } from '../../lib/backend';

export async function testBackend(): Promise<void> {
  await initBackend((process.env.AVLAB_TEST_BACKEND as BackendChoice | undefined) ?? 'cpu', { quiet: true });
}
