import { useState } from 'react';
import { signOut } from '../../api.ts';
import { useSessionUser } from '../../use-session.ts';
import { LoginDialog } from '../editor/Dialogs.tsx';
import { useEditorText } from '../editor/messages.ts';

/**
 * 登录 in the header while signed out (sign-in used to come up only inside the editor, so a new user
 * never found 导入); the user's name and 退出 while signed in. While the editor is open its own 退出
 * applies, which asks first about unsaved changes.
 */
export function SessionButton({ editorOpen }: { editorOpen: boolean }) {
  const { t } = useEditorText();
  const user = useSessionUser();
  const [signingIn, setSigningIn] = useState(false);
  // First in both branches, so it stays mounted while a first sign-in sets its new password.
  const dialog = signingIn && <LoginDialog t={t} onDone={() => setSigningIn(false)} />;
  // Signed in only once a required new password is set.
  if (!user || user.mustChangePassword)
    return (
      <>
        {dialog}
        <button
          type="button"
          className="button"
          data-testid="header-sign-in"
          onClick={() => setSigningIn(true)}
        >
          {t('login.signIn')}
        </button>
      </>
    );
  return (
    <>
      {dialog}
      <span className="header-user" data-testid="header-user" title={user.username}>
        {user.username}
      </span>
      {!editorOpen && (
        <button type="button" className="button" data-testid="header-sign-out" onClick={signOut}>
          {t('login.signOut')}
        </button>
      )}
    </>
  );
}
