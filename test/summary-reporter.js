/**
 * A jest reporter that ends the run with one plain line, `tests: N passed, N failed`, which CI
 * reads to tell a run that tested something from one that did not (it does not read jest's own
 * summary). The counts are jest's own.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    // On exit, so that it comes after jest's own summary, which is written after the reporters.
    process.once('exit', () => process.stderr.write(`tests: ${results.numPassedTests} passed, ${failed} failed\n`));
  }
}

module.exports = SummaryReporter;
