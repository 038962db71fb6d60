import type { SourceTestResult } from '../../../shared/sources.js';
import { summarizeTest, testRowStates, testSummaryText } from '../lib/source-form.js';

/** A source test: how many rows and vCenters, then the first rows as they map (address or problem). */
export function SourceTestView(props: {
  result: SourceTestResult;
  /** The mapping's enabled column, so rows it leaves out are counted as a refresh would. */
  enabledColumn: string | null;
}): React.JSX.Element {
  const { result } = props;
  const states = testRowStates(result, props.enabledColumn);
  return (
    <div className="source-test" data-testid="source-test">
      <p className="ok" data-testid="source-test-summary">
        {testSummaryText(summarizeTest(result, props.enabledColumn))}
      </p>
      {result.mapped.length > 0 && (
        <div className="answer-table-wrap" tabIndex={0} role="region" aria-label="Rows the query returned">
          <table className="list small">
            <thead>
              <tr>
                <th>Name</th>
                <th>Address</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {result.mapped.map((m, i) => (
                <tr key={i}>
                  <td>{m.name}</td>
                  <td className="mono">{m.url ?? '—'}</td>
                  {states[i] === 'not-listed' ? (
                    <td className="muted">not listed (enabled column)</td>
                  ) : (
                    <td className="error">{m.problem ?? ''}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
