import { postgresEngine } from './helpers/engines.js';
import { storageSuite } from './storage-suite.js';

storageSuite(postgresEngine());
