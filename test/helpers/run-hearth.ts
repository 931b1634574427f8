// Runs the hearth CLI from source (tests spawn this instead of the built bin/hearth.js).
import { main } from '../../src/main.js';

process.exitCode = await main(process.argv.slice(2));
