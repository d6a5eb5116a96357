import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.xml.transform.stream.StreamSource;

import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.XPathCompiler;
import net.sf.saxon.s9api.XPathExecutable;
import net.sf.saxon.s9api.XPathSelector;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltExecutable;

/**
 * The validation benchmark's Java Saxon-HE side (bench/src/validation.ts, --java): runs one Schematron XSLT over one
 * invoice as @poort/standards' CompiledRules does under SaxonJS (parse the bytes, transform to an SVRL tree, count
 * the failed asserts by flag), compiled once, warmed up, then timed run by run: at least REPETITIONS runs, and more
 * until MIN_SECONDS have passed. Prints one JSON object, as bench/src/validation-run.ts does.
 *
 * Usage: java -cp Saxon-HE.jar:xmlresolver.jar:classes RulesBench XSLT WARMUP_FILE WARMUPS REPETITIONS MIN_SECONDS INVOICE
 */
public final class RulesBench {
  private static final String SVRL = "http://purl.oclc.org/dsdl/svrl";

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: RulesBench XSLT WARMUP_FILE WARMUPS REPETITIONS MIN_SECONDS INVOICE");
      System.exit(64);
    }
    Processor processor = new Processor(false);
    long compileStart = System.nanoTime();
    XsltExecutable stylesheet = processor.newXsltCompiler().compile(new StreamSource(Path.of(args[0]).toFile()));
    double setupMs = (System.nanoTime() - compileStart) / 1e6;
    XPathCompiler xpath = processor.newXPathCompiler();
    xpath.declareNamespace("svrl", SVRL);
    XPathExecutable errors = xpath.compile("count((//svrl:failed-assert | //svrl:successful-report)[not(@flag = 'warning')])");
    XPathExecutable warnings = xpath.compile("count((//svrl:failed-assert | //svrl:successful-report)[@flag = 'warning'])");

    byte[] warmup = Files.readAllBytes(Path.of(args[1]));
    int warmups = Integer.parseInt(args[2]);
    int repetitions = Integer.parseInt(args[3]);
    byte[] invoice = Files.readAllBytes(Path.of(args[5]));
    for (int i = 0; i < warmups; i++) run(stylesheet, errors, warnings, warmup);

    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<Double> wallMs = new ArrayList<>();
    long[] findings = null;
    long until = System.nanoTime() + (long) (Double.parseDouble(args[4]) * 1e9);
    long cpuStart = os.getProcessCpuTime();
    while (wallMs.size() < repetitions || (System.nanoTime() < until && wallMs.size() < 1000)) {
      long start = System.nanoTime();
      long[] counts = run(stylesheet, errors, warnings, invoice);
      wallMs.add((System.nanoTime() - start) / 1e6);
      if (findings == null) findings = counts;
      else if (findings[0] != counts[0] || findings[1] != counts[1]) throw new IllegalStateException("runs disagree");
    }
    double cpuMs = (os.getProcessCpuTime() - cpuStart) / 1e6;
    StringBuilder runs = new StringBuilder();
    for (double ms : wallMs) runs.append(runs.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", ms));
    System.out.printf(Locale.ROOT,
        "{\"setupMs\":%.1f,\"runsMs\":[%s],\"cpuMs\":%.1f,\"errors\":%d,\"warnings\":%d,\"peakRssKb\":%d,\"java\":\"%s\",\"saxon\":\"%s\"}%n",
        setupMs, runs, cpuMs, findings[0], findings[1], peakRssKb(), System.getProperty("java.version"),
        processor.getSaxonProductVersion());
  }

  private static long[] run(XsltExecutable stylesheet, XPathExecutable errors, XPathExecutable warnings, byte[] xml) throws Exception {
    XdmDestination svrl = new XdmDestination();
    stylesheet.load30().transform(new StreamSource(new ByteArrayInputStream(xml)), svrl);
    XdmNode report = svrl.getXdmNode();
    return new long[] {count(errors, report), count(warnings, report)};
  }

  private static long count(XPathExecutable expression, XdmNode report) throws Exception {
    XPathSelector selector = expression.load();
    selector.setContextItem(report);
    return Long.parseLong(selector.evaluateSingle().getStringValue());
  }

  /** The JVM's peak resident set (VmHWM), as getrusage's ru_maxrss gives it for Node. */
  private static long peakRssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return -1;
  }
}
