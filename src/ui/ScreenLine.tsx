import { Text } from 'ink';
import type { Line } from './text.js';

/** One screen line of styled segments; the layout has already fitted it to the width. */
export function ScreenLine({ line }: { readonly line: Line }) {
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} color={s.color} backgroundColor={s.bg} bold={s.bold} dimColor={s.dim} inverse={s.inverse} underline={s.underline}>
          {s.t}
        </Text>
      ))}
    </Text>
  );
}
