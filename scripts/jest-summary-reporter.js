// Prints one plain closing line after everything jest prints, `Tests: N passed, N failed`
// (`, N skipped` when any were), so CI logs end with a count any tool can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    // jest's own summary and "Ran all test suites" come after the reporters; print at exit.
    process.once('exit', () =>
      process.stderr.write(`${line}${skipped ? `, ${skipped} skipped` : ''}\n`),
    );
  }
}
module.exports = SummaryReporter;
