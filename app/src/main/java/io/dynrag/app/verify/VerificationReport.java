package io.dynrag.app.verify;

import java.io.PrintStream;
import java.util.List;

/** Everything a verification found, and how much it looked at. */
public record VerificationReport(String customerId, List<Finding> findings, int documents, int versions,
                                 int datasetVersions, int objects) {

    public VerificationReport {
        findings = List.copyOf(findings);
    }

    public List<Finding> discrepancies() {
        return findings.stream().filter(Finding::isDiscrepancy).toList();
    }

    public List<Finding> notes() {
        return findings.stream().filter(finding -> !finding.isDiscrepancy()).toList();
    }

    /** Discrepancies first, then notes, then the summary line. */
    public void print(PrintStream out) {
        discrepancies().forEach(finding -> out.println(finding.line()));
        notes().forEach(finding -> out.println(finding.line()));
        int discrepancies = discrepancies().size();
        out.printf("Verified customer %s: %d documents, %d versions, %d dataset versions, %d objects checked; "
                        + "%s, %d %s%n", customerId, documents, versions, datasetVersions, objects,
                discrepancies == 0 ? "no discrepancies" : discrepancies + (discrepancies == 1 ? " discrepancy"
                        : " discrepancies"), notes().size(), notes().size() == 1 ? "note" : "notes");
        out.flush();
    }
}
