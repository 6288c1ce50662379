import { describe } from 'vitest';
import { createPgliteTestDatabase } from '../../helpers/test-store.js';
import { defineStoreContract } from './store-contract.js';

describe('Store on PGlite', () => {
  defineStoreContract(createPgliteTestDatabase);
});
