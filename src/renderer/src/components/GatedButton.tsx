import type { RequestName } from '../../../shared/contract.js';
import { deniedReason, may } from '../lib/role.js';
import { useUser } from '../stores/user.js';

type Props = React.ButtonHTMLAttributes<HTMLButtonElement> & {
  /** The contract call the button makes: its role decides whether this user may press it. */
  call: RequestName;
  /** What the button does, for the tooltip of a user who may not ("Syncing"). */
  what: string;
};

/**
 * A button for a call the user's role may not make: still focusable, so its tooltip and screen
 * readers say why, but inert (`aria-disabled`); an ordinary button otherwise.
 */
export function GatedButton({
  call,
  what,
  onClick,
  disabled,
  title,
  className,
  ...rest
}: Props): React.JSX.Element {
  const { role, name } = useUser();
  if (may(role, call))
    return <button {...rest} className={className} title={title} disabled={disabled} onClick={onClick} />;
  return (
    <button
      {...rest}
      className={`${className ?? ''} denied`.trim()}
      title={deniedReason(name, what)}
      aria-disabled
      data-denied={call}
      onClick={(e) => e.preventDefault()}
    />
  );
}
