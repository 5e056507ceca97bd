from zddemo.walkthrough import main

raise SystemExit(main())
